// Command s3server runs an in-memory S3-compatible server (gofakes3) for upkeep's S3 backup target tests.
//
// It is an S3 emulator, not AWS: it checks the access key id (requests signed with any other key get 403
// AccessDenied, so the tests can see how upkeep reports bad credentials) but does not verify signatures.
// Usage: s3server -listen 127.0.0.1:0 -bucket upkeep-test -access-key upkeep-test
// It prints "listening http://HOST:PORT" on stdout once it accepts connections (port 0 picks a free one).
package main

import (
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (keep it on 127.0.0.1)")
	bucket := flag.String("bucket", "upkeep-test", "bucket created at start (empty: none)")
	accessKey := flag.String("access-key", "upkeep-test", "the only access key id that is let in")
	flag.Parse()

	backend := s3mem.New()
	if *bucket != "" {
		if err := backend.CreateBucket(*bucket); err != nil {
			fail(err)
		}
	}
	faker := gofakes3.New(backend, gofakes3.WithAutoBucket(false))
	if *bucket != "" {
		if err := primeUploads(faker.Server(), *bucket); err != nil {
			fail(err)
		}
	}
	handler := withAccessKey(*accessKey, faker.Server())

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fail(err)
	}
	// The test launcher reads this line to learn the port: no probing, no race for a free port.
	fmt.Printf("listening http://%s\n", ln.Addr().String())

	server := &http.Server{Handler: handler}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = server.Close()
	}()
	if err := server.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fail(err)
	}
}

// withAccessKey answers 403 AccessDenied, as S3 does, to requests not signed with the expected access key id.
func withAccessKey(expected string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if accessKeyOf(r) != expected {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>`+
				`<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// accessKeyOf reads the key id from a SigV4 Authorization header or a presigned URL's X-Amz-Credential.
func accessKeyOf(r *http.Request) string {
	credential := r.URL.Query().Get("X-Amz-Credential")
	if auth := r.Header.Get("Authorization"); auth != "" {
		if i := strings.Index(auth, "Credential="); i >= 0 {
			credential = auth[i+len("Credential="):]
		}
	}
	key, _, _ := strings.Cut(credential, "/")
	return key
}

// primeUploads starts and aborts one multipart upload: gofakes3 answers ListMultipartUploads on a bucket that never
// had one with 404 NoSuchUpload, where S3 answers an empty list.
func primeUploads(h http.Handler, bucket string) error {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/"+bucket+"/.prime?uploads", nil))
	var started struct{ UploadId string }
	if err := xml.Unmarshal(rec.Body.Bytes(), &started); err != nil || started.UploadId == "" {
		return fmt.Errorf("priming multipart uploads: %d %s", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodDelete, "/"+bucket+"/.prime?uploadId="+started.UploadId, nil))
	if rec.Code/100 != 2 {
		return fmt.Errorf("priming multipart uploads: abort: %d %s", rec.Code, rec.Body.String())
	}
	return nil
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "s3server: %s\n", err)
	os.Exit(1)
}
