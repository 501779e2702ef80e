package gcs

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fsouza/fake-gcs-server/fakestorage"
)

const testBucket = "podlab-states"

// fakeGCS starts fake-gcs-server in process on loopback, with a bucket,
// and points the storage client library at it through
// STORAGE_EMULATOR_HOST, as a user would. It returns the host:port.
func fakeGCS(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := lis.Addr().String()
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		NoListener: true, Scheme: "http", PublicHost: host,
		InitialObjects: []fakestorage.Object{},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: testBucket, VersioningEnabled: false})
	hs := httptest.NewUnstartedServer(enforceDeleteGeneration(srv.HTTPHandler()))
	_ = hs.Listener.Close()
	hs.Listener = lis
	hs.Start()
	t.Cleanup(func() { hs.Close(); srv.Stop() })
	t.Setenv("STORAGE_EMULATOR_HOST", host)
	return host
}

// enforceDeleteGeneration makes the fake honour ifGenerationMatch on
// object deletes. fake-gcs-server v1.56.1 honours DoesNotExist and
// GenerationMatch preconditions on writes (412, as Cloud Storage does)
// but ignores ifGenerationMatch on DELETE, which real Cloud Storage
// enforces and podlab's unlock relies on (never remove a lock that another
// podlab took meanwhile). This wrapper asks the fake for the object's
// current generation and answers 412 on a mismatch, as Cloud Storage does.
func enforceDeleteGeneration(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := r.URL.Query().Get("ifGenerationMatch")
		if r.Method != http.MethodDelete || want == "" || !strings.Contains(r.URL.EscapedPath(), "/o/") {
			h.ServeHTTP(w, r)
			return
		}
		get := httptest.NewRequest(http.MethodGet, r.URL.EscapedPath(), nil)
		get.Host = r.Host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, get)
		if rec.Code == http.StatusOK {
			var obj struct {
				Generation string `json:"generation"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &obj)
			if obj.Generation != want {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusPreconditionFailed)
				fmt.Fprintf(w, `{"error":{"code":412,"message":"At least one of the pre-conditions you specified did not hold.","errors":[{"reason":"conditionNotMet","message":"generation %s, want %s"}]}}`, obj.Generation, want)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func newBackend(t *testing.T, prefix string) *Backend {
	t.Helper()
	b, err := New(context.Background(), testBucket, prefix)
	if err != nil {
		t.Fatal(err)
	}
	b.poll, b.maxPoll = 5*time.Millisecond, 50*time.Millisecond
	t.Cleanup(func() { _ = b.Close() })
	return b
}
