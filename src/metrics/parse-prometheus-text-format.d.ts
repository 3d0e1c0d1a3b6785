/** Types of the parse-prometheus-text-format package (it ships none), as the metrics test uses it. */
declare module 'parse-prometheus-text-format' {
  interface Sample {
    value?: string;
    labels?: Record<string, string>;
    buckets?: Record<string, string>;
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
    metrics: Sample[];
  }
  /** Parses Prometheus text exposition into metric families. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
