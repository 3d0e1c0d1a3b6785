/** Data for a page: fetches a path, keeps the last good answer while refetching, and exposes the error in words. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from './api';

/** What a page shows for one API path. */
export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Fetches again (keeps showing the old data meanwhile). */
  reload: () => void;
}

/** Fetches `path` (null: nothing to fetch yet) and refetches when it changes or reload() is called. */
export function useApi<T>(path: string | null): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    if (path === null) return;
    const n = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => n === latest.current && setState({ data, loading: false }),
      (err: unknown) =>
        n === latest.current &&
        setState((s) => ({
          data: s.data,
          error: err instanceof ApiError ? err : new ApiError(String(err), 0),
          loading: false,
        })),
    );
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
