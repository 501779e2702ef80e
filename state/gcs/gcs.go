// Package gcs keeps podlab's states in a Google Cloud Storage bucket, for
// a team of instructors who share a lab's environments.
//
// Each environment has three objects under the backend's prefix:
//
//	PREFIX/ENV/state.json         the state
//	PREFIX/ENV/state.json.backup  the copy before the last write
//	PREFIX/ENV/state.lock         the lock, while a command holds it
//
// Safety rests on object generations, which Cloud Storage checks
// atomically: the lock object is created only if it does not exist
// (ifGenerationMatch=0) and removed only if it is still the generation
// this process created; the state is written only if it is still the
// generation this process last read or wrote (or, for the first write,
// only if there is none). So two instructors can never overwrite each
// other's state: the second write fails with a clear error instead.
//
// Credentials are Application Default Credentials. STORAGE_EMULATOR_HOST
// (host:port) points the client at an emulator such as fake-gcs-server, as
// it points Google's own storage libraries, for tests.
//
// The client is Cloud Storage's JSON API (google.golang.org/api/storage/v1),
// not cloud.google.com/go/storage: that library links gRPC's xDS stack and
// the Envoy protos (250 packages, 27 MB of podlab's binary and 6 MB of
// every podlab process's memory) for four REST calls.
package gcs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	storage "google.golang.org/api/storage/v1"

	"github.com/podlab/podlab/state"
)

// Backend is a state.Backend on Cloud Storage.
type Backend struct {
	Bucket string
	Prefix string

	objects *storage.ObjectsService

	mu sync.Mutex
	// gens is the generation of each environment's state object as this
	// process last read or wrote it; 0 means it knows there is none.
	gens map[string]int64
	// locks is the generation of each lock object this process created,
	// by lock ID.
	locks map[string]lockRef

	// poll is the first pause between tries of a taken lock; it doubles
	// up to maxPoll.
	poll, maxPoll time.Duration
}

type lockRef struct {
	env string
	gen int64
}

// New returns a backend for bucket and prefix (a path inside the bucket,
// without slashes at either end; empty means the bucket's top).
func New(ctx context.Context, bucket, prefix string, opts ...option.ClientOption) (*Backend, error) {
	if bucket == "" || strings.ContainsAny(bucket, "/ ") {
		return nil, fmt.Errorf("backend \"gcs\": bucket %q is not a bucket name (give the name alone, without gs://)", bucket)
	}
	if host := os.Getenv("STORAGE_EMULATOR_HOST"); host != "" {
		if !strings.Contains(host, "://") {
			host = "http://" + host
		}
		opts = append([]option.ClientOption{option.WithEndpoint(strings.TrimSuffix(host, "/") + "/storage/v1/"), option.WithoutAuthentication()}, opts...)
	}
	svc, err := storage.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("backend \"gcs\": cannot set up the Cloud Storage client: %w. podlab uses Application Default Credentials: run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS", err)
	}
	return &Backend{
		Bucket: bucket, Prefix: strings.Trim(prefix, "/"), objects: svc.Objects,
		gens: map[string]int64{}, locks: map[string]lockRef{},
		poll: 100 * time.Millisecond, maxPoll: 2 * time.Second,
	}, nil
}

// Close releases the client: it holds nothing beyond its HTTP client's
// idle connections.
func (b *Backend) Close() error { return nil }

func (b *Backend) object(env, name string) string {
	if b.Prefix == "" {
		return env + "/" + name
	}
	return b.Prefix + "/" + env + "/" + name
}

func (b *Backend) url(object string) string { return "gs://" + b.Bucket + "/" + object }

// Describe says where env's state is.
func (b *Backend) Describe(env string) string { return b.url(b.object(env, "state.json")) }

// BackupObject is the object holding the copy before the last write.
func (b *Backend) BackupObject(env string) string { return b.object(env, "state.json.backup") }

// explain adds advice to a Cloud Storage error.
func (b *Backend) explain(doing, object string, err error) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		switch ge.Code {
		case http.StatusForbidden, http.StatusUnauthorized:
			return fmt.Errorf("%s %s: %w. The Application Default Credentials podlab uses need the Storage Object Admin role (roles/storage.objectAdmin) on bucket %s", doing, b.url(object), err, b.Bucket)
		case http.StatusNotFound:
			if bucketMissing(ge) {
				return fmt.Errorf("%s %s: the bucket %s does not exist (%w): create it (gcloud storage buckets create gs://%s) or fix bucket in the backend block", doing, b.url(object), b.Bucket, err, b.Bucket)
			}
		}
	}
	return fmt.Errorf("%s %s: %w", doing, b.url(object), err)
}

// explainWrite is explain for a failed object creation: there, NOT_FOUND
// can only mean the bucket.
func (b *Backend) explainWrite(doing, object string, err error) error {
	var ge *googleapi.Error
	if errors.As(err, &ge) && ge.Code == http.StatusNotFound {
		return fmt.Errorf("%s %s: the bucket %s does not exist (%w): create it (gcloud storage buckets create gs://%s) or fix bucket in the backend block", doing, b.url(object), b.Bucket, err, b.Bucket)
	}
	return b.explain(doing, object, err)
}

func preconditionFailed(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusPreconditionFailed
}

// bucketMissing tells a 404 about the bucket from one about an object:
// Cloud Storage says "The specified bucket does not exist." for the first.
func bucketMissing(ge *googleapi.Error) bool {
	return strings.Contains(strings.ToLower(ge.Message), "bucket")
}

func notExist(err error) bool {
	var ge *googleapi.Error
	return errors.As(err, &ge) && ge.Code == http.StatusNotFound && !bucketMissing(ge)
}

// read returns an object's content and generation; gen 0 when it does
// not exist.
func (b *Backend) read(ctx context.Context, object string) ([]byte, int64, error) {
	resp, err := b.objects.Get(b.Bucket, object).Context(ctx).Download()
	if notExist(err) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, b.explain("read", object, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, b.explain("read", object, err)
	}
	gen, err := strconv.ParseInt(resp.Header.Get("X-Goog-Generation"), 10, 64)
	if err != nil || gen == 0 {
		return nil, 0, fmt.Errorf("read %s: the answer carries no generation (X-Goog-Generation %q)", b.url(object), resp.Header.Get("X-Goog-Generation"))
	}
	return data, gen, nil
}

// Read returns env's state, or nil when it has none, and remembers its
// generation for the next Write.
func (b *Backend) Read(ctx context.Context, env string) (*state.State, error) {
	object := b.object(env, "state.json")
	data, gen, err := b.read(ctx, object)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.gens[env] = gen
	b.mu.Unlock()
	if gen == 0 {
		return nil, nil
	}
	st, err := state.Decode(data)
	if err != nil {
		if errors.Is(err, state.ErrCorrupt) {
			return nil, fmt.Errorf("%s: %w. The previous copy is %s: if it reads well, restore it with: gcloud storage cp %s %s",
				b.url(object), err, b.url(b.BackupObject(env)), b.url(b.BackupObject(env)), b.url(object))
		}
		return nil, fmt.Errorf("%s: %w", b.url(object), err)
	}
	return st, nil
}

// ConflictError says the state changed in the bucket since this podlab
// read it: another podlab wrote it.
type ConflictError struct {
	Env, Where string
	Expected   int64 // the generation podlab read (0: none)
}

func (e *ConflictError) Error() string {
	was := fmt.Sprintf("generation %d", e.Expected)
	if e.Expected == 0 {
		was = "none"
	}
	return fmt.Sprintf("the state of environment %q (%s) was changed by someone else since this podlab read it (it expected %s); podlab did not overwrite it. Another podlab is writing this environment without the lock (run with -lock=false?) or broke the lock with force-unlock: let it finish, then run podlab plan again to see the state as it is now",
		e.Env, e.Where, was)
}

// Write stores st as env's state, only if the stored state is still the
// one this process last read or wrote; the previous copy becomes the
// backup first.
func (b *Backend) Write(ctx context.Context, env string, st *state.State) error {
	data, err := state.Encode(st)
	if err != nil {
		return err
	}
	object := b.object(env, "state.json")
	b.mu.Lock()
	gen, known := b.gens[env]
	b.mu.Unlock()
	if !known {
		attrs, err := b.objects.Get(b.Bucket, object).Context(ctx).Fields("generation").Do()
		switch {
		case notExist(err):
			gen = 0
		case err != nil:
			return b.explain("write state", object, err)
		default:
			gen = attrs.Generation
		}
	}
	if gen != 0 {
		// A server-side copy of exactly the generation being replaced.
		_, err := b.objects.Copy(b.Bucket, object, b.Bucket, b.BackupObject(env), &storage.Object{}).
			SourceGeneration(gen).Context(ctx).Fields("generation").Do()
		if err != nil {
			if notExist(err) {
				return &ConflictError{Env: env, Where: b.url(object), Expected: gen}
			}
			return b.explain("keep the state's backup in", b.BackupObject(env), err)
		}
	}
	// Generation 0 means "only if it does not exist".
	newGen, err := b.create(ctx, object, gen, data)
	if preconditionFailed(err) {
		return &ConflictError{Env: env, Where: b.url(object), Expected: gen}
	}
	if err != nil {
		return b.explainWrite("write state", object, err)
	}
	b.mu.Lock()
	b.gens[env] = newGen
	b.mu.Unlock()
	return nil
}

// create writes an object in one request, only if its generation is
// still ifGen (0: only if it does not exist), and returns its new
// generation.
func (b *Backend) create(ctx context.Context, object string, ifGen int64, data []byte) (int64, error) {
	obj, err := b.objects.Insert(b.Bucket, &storage.Object{Name: object, ContentType: "application/json"}).
		IfGenerationMatch(ifGen).
		// One request: small objects, no resumable session.
		Media(bytes.NewReader(data), googleapi.ContentType("application/json"), googleapi.ChunkSize(0)).
		Context(ctx).Fields("generation").Do()
	if err != nil {
		return 0, err
	}
	return obj.Generation, nil
}

// Environments lists the environments with a state object.
func (b *Backend) Environments(ctx context.Context) ([]string, error) {
	prefix := ""
	if b.Prefix != "" {
		prefix = b.Prefix + "/"
	}
	var envs []string
	err := b.objects.List(b.Bucket).Prefix(prefix).Fields("items(name)", "nextPageToken").Pages(ctx, func(page *storage.Objects) error {
		for _, o := range page.Items {
			rest := strings.TrimPrefix(o.Name, prefix)
			if env, ok := strings.CutSuffix(rest, "/state.json"); ok && env != "" && !strings.Contains(env, "/") {
				envs = append(envs, env)
			}
		}
		return nil
	})
	if err != nil {
		return nil, b.explain("list", prefix, err)
	}
	sort.Strings(envs)
	return envs, nil
}

// Lock creates env's lock object, holding info, if it does not exist; while
// another holds it, Lock tries again with backoff until ctx ends, then
// returns a *state.LockedError with the holder.
func (b *Backend) Lock(ctx context.Context, env string, info *state.LockInfo) (string, error) {
	object := b.object(env, "state.lock")
	data, err := json.Marshal(info)
	if err != nil {
		return "", err
	}
	wait := b.poll
	for {
		// Each try gets a context of its own: ctx bounds the waiting, and
		// with -lock-timeout=0 it has ended before the first try, which
		// must still be made.
		tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		gen, err := b.create(tctx, object, 0, append(data, '\n'))
		cancel()
		if err == nil {
			b.mu.Lock()
			b.locks[info.ID] = lockRef{env: env, gen: gen}
			// The state may have changed while the lock was free.
			delete(b.gens, env)
			b.mu.Unlock()
			return info.ID, nil
		}
		if !preconditionFailed(err) {
			return "", b.explainWrite("lock state with", object, err)
		}
		select {
		case <-ctx.Done():
			return "", b.lockedError(env, object)
		case <-time.After(wait):
		}
		wait = min(wait*2, b.maxPoll)
	}
}

func (b *Backend) lockedError(env, object string) error {
	// The context has ended; a short one of its own tells who holds it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	holder, _, _ := b.holder(ctx, object)
	return &state.LockedError{Env: env, Holder: holder, Where: b.url(object)}
}

// holder reads the lock object: who holds it, and its generation; nil, 0
// when there is no lock.
func (b *Backend) holder(ctx context.Context, object string) (*state.LockInfo, int64, error) {
	data, gen, err := b.read(ctx, object)
	if err != nil || gen == 0 {
		return nil, gen, err
	}
	var info state.LockInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, gen, nil
	}
	return &info, gen, nil
}

// Unlock removes the lock this process created, only if it is still that
// very object (its generation).
func (b *Backend) Unlock(ctx context.Context, env, id string) error {
	b.mu.Lock()
	lk, ok := b.locks[id]
	delete(b.locks, id)
	b.mu.Unlock()
	object := b.object(env, "state.lock")
	if !ok || lk.env != env {
		return fmt.Errorf("unlock state of %q: no lock %s held by this process", env, id)
	}
	err := b.objects.Delete(b.Bucket, object).IfGenerationMatch(lk.gen).Context(ctx).Do()
	switch {
	case err == nil:
		return nil
	case notExist(err), preconditionFailed(err):
		return fmt.Errorf("unlock state of %q: the lock %s (%s) was removed or replaced while this podlab held it: someone ran force-unlock; check the state with podlab plan", env, id, b.url(object))
	}
	return b.explain("unlock state with", object, err)
}

// ForceUnlock removes a lock left by a podlab that died, given its ID: the
// object is deleted only if it still holds that ID at the generation read.
func (b *Backend) ForceUnlock(ctx context.Context, env, id string) error {
	object := b.object(env, "state.lock")
	holder, gen, err := b.holder(ctx, object)
	if err != nil {
		return err
	}
	if gen == 0 {
		return fmt.Errorf("environment %q is not locked (%s does not exist)", env, b.url(object))
	}
	if holder == nil {
		return fmt.Errorf("the lock %s of %q does not read as a podlab lock: look at it (gcloud storage cat %s) and remove it yourself if it is stale", b.url(object), env, b.url(object))
	}
	if holder.ID != id {
		return fmt.Errorf("environment %q is locked with ID %s (%s, pid %d, %s), not %s", env, holder.ID, holder.Operation, holder.PID, holder.Who, id)
	}
	err = b.objects.Delete(b.Bucket, object).IfGenerationMatch(gen).Context(ctx).Do()
	switch {
	case err == nil:
		return nil
	case notExist(err):
		return nil // released meanwhile
	case preconditionFailed(err):
		return fmt.Errorf("the lock of %q changed while podlab looked at it (a new holder took it): run podlab force-unlock again with the new ID if that one is stale too", env)
	}
	return b.explain("force-unlock", object, err)
}

var _ state.Backend = (*Backend)(nil)
