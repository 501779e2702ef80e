package kubeapi

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

type httpRoundTripper = http.RoundTripper

// retryTransport retries what a restarting or overloaded API server
// answers: refused or reset connections, 429 and 5xx. Every request podlab
// makes is idempotent (server-side apply, get, list, delete), so repeating
// one is safe. It gives up after retryFor, or when the request's context
// ends.
type retryTransport struct {
	next     http.RoundTripper
	retryFor time.Duration
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline := time.Now().Add(t.retryFor)
	wait := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		if attempt > 0 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := t.next.RoundTrip(req)
		retry, after := retryable(resp, err)
		if err == nil && isProxied(req) {
			// Through the pod proxy a 5xx is the pod's (or its
			// network's) answer, which the caller wants to see.
			retry = false
		}
		if !retry || time.Now().Add(wait).After(deadline) || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		if after > 0 {
			wait = after
		}
		if resp != nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(wait + time.Duration(rand.Int64N(int64(wait/5)+1))):
		}
		wait = min(wait*2, 3*time.Second)
	}
}

func isProxied(req *http.Request) bool {
	p := req.URL.Path
	return strings.Contains(p, "/proxy/") || strings.HasSuffix(p, "/proxy")
}

func retryable(resp *http.Response, err error) (bool, time.Duration) {
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return false, 0
		}
		var ne net.Error
		switch {
		case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
			errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
			return true, 0
		case errors.As(err, &ne) && ne.Timeout():
			return true, 0
		}
		return false, 0
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			return true, min(time.Duration(s)*time.Second, 10*time.Second)
		}
		return true, 0
	}
	return false, 0
}

// RequestCounter counts API requests by method, so tests can prove that a
// no-change apply writes nothing and that lists do not grow with objects.
type RequestCounter struct {
	Reads  atomic.Int64
	Writes atomic.Int64
}

type countingTransport struct {
	next http.RoundTripper
	c    *RequestCounter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.Method {
	case http.MethodGet, http.MethodHead:
		t.c.Reads.Add(1)
	default:
		if req.URL.Query().Get("dryRun") == "" {
			t.c.Writes.Add(1)
		} else {
			t.c.Reads.Add(1)
		}
	}
	return t.next.RoundTrip(req)
}
