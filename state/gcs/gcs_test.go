package gcs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/podlab/podlab/state"
)

func TestReadWriteBackupEnvironments(t *testing.T) {
	fakeGCS(t)
	ctx := context.Background()
	b := newBackend(t, "classes/k8s")
	if st, err := b.Read(ctx, "gke"); err != nil || st != nil {
		t.Fatalf("read of a missing state = %v, %v", st, err)
	}
	first := state.New("pod-basics", "gke")
	first.Serial = 1
	if err := b.Write(ctx, "gke", first); err != nil {
		t.Fatal(err)
	}
	second := first.Clone()
	second.Serial = 2
	if err := b.Write(ctx, "gke", second); err != nil {
		t.Fatal(err)
	}
	got, err := newBackend(t, "classes/k8s").Read(ctx, "gke")
	if err != nil || got.Serial != 2 || got.Lineage != first.Lineage {
		t.Fatalf("read back = %+v, %v", got, err)
	}
	// The backup is the copy before the last write.
	data, _, err := b.read(ctx, "classes/k8s/gke/state.json.backup")
	if err != nil {
		t.Fatal(err)
	}
	backup, err := state.Decode(data)
	if err != nil || backup.Serial != 1 {
		t.Fatalf("backup = %+v, %v", backup, err)
	}
	if err := b.Write(ctx, "onprem@ws", state.New("pod-basics", "onprem@ws")); err != nil {
		t.Fatal(err)
	}
	// Another prefix's states are not this backend's.
	if err := newBackend(t, "other").Write(ctx, "x", state.New("l", "x")); err != nil {
		t.Fatal(err)
	}
	envs, err := b.Environments(ctx)
	if err != nil || strings.Join(envs, ",") != "gke,onprem@ws" {
		t.Fatalf("environments = %v, %v", envs, err)
	}
	if d := b.Describe("gke"); d != "gs://podlab-states/classes/k8s/gke/state.json" {
		t.Fatalf("describe = %q", d)
	}
}

// Two podlabs that read the same state: the second write fails, and the
// first one's state survives.
func TestWritesNeverOverwriteEachOther(t *testing.T) {
	fakeGCS(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, b *Backend)
	}{
		{"first write of both", func(*testing.T, *Backend) {}},
		{"both read generation N", func(t *testing.T, b *Backend) {
			if err := b.Write(ctx, "gke", state.New("lab", "gke")); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prefix := strings.ReplaceAll(tc.name, " ", "-")
			tc.setup(t, newBackend(t, prefix))
			a, b := newBackend(t, prefix), newBackend(t, prefix)
			if _, err := a.Read(ctx, "gke"); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Read(ctx, "gke"); err != nil {
				t.Fatal(err)
			}
			sa := state.New("lab", "gke")
			sa.Serial = 10
			if err := a.Write(ctx, "gke", sa); err != nil {
				t.Fatal(err)
			}
			sb := state.New("lab", "gke")
			sb.Serial = 20
			err := b.Write(ctx, "gke", sb)
			var ce *ConflictError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "did not overwrite") {
				t.Fatalf("second write = %v, want a ConflictError", err)
			}
			got, err := newBackend(t, prefix).Read(ctx, "gke")
			if err != nil || got.Serial != 10 {
				t.Fatalf("stored = %+v, %v, want the first writer's", got, err)
			}
			// The writer that won goes on writing.
			sa.Serial = 11
			if err := a.Write(ctx, "gke", sa); err != nil {
				t.Fatalf("the winner's next write: %v", err)
			}
		})
	}
}

func TestLock(t *testing.T) {
	fakeGCS(t)
	ctx := context.Background()
	a, b := newBackend(t, "p"), newBackend(t, "p")
	infoA := state.NewLockInfo("apply", "test")
	id, err := a.Lock(ctx, "gke", infoA)
	if err != nil || id != infoA.ID {
		t.Fatalf("lock = %q, %v", id, err)
	}
	// A second podlab waits until its context ends, then says who holds it.
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = b.Lock(short, "gke", state.NewLockInfo("destroy", "test"))
	cancel()
	var le *state.LockedError
	if !errors.As(err, &le) || le.Holder == nil || le.Holder.ID != infoA.ID || le.Holder.Operation != "apply" {
		t.Fatalf("second lock = %#v, want a LockedError naming the holder", err)
	}
	if !strings.Contains(err.Error(), "force-unlock "+infoA.ID) {
		t.Fatalf("message = %q", err)
	}
	// One that waits long enough gets it once the first lets go.
	got := make(chan error, 1)
	infoB := state.NewLockInfo("destroy", "test")
	go func() {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		_, err := b.Lock(wctx, "gke", infoB)
		got <- err
	}()
	if err := a.Unlock(ctx, "gke", id); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatalf("waiting lock: %v", err)
	}
	if err := b.Unlock(ctx, "gke", infoB.ID); err != nil {
		t.Fatal(err)
	}
	if err := b.Unlock(ctx, "gke", infoB.ID); err == nil {
		t.Fatal("unlocking twice succeeded")
	}
	// -lock-timeout=0: the context has ended before the first try, which
	// still takes a free lock.
	ended, cancel := context.WithTimeout(ctx, 0)
	defer cancel()
	infoC := state.NewLockInfo("plan", "test")
	if _, err := a.Lock(ended, "gke", infoC); err != nil {
		t.Fatalf("lock with an ended context on a free lock: %v", err)
	}
	if err := a.Unlock(ctx, "gke", infoC.ID); err != nil {
		t.Fatal(err)
	}
}

// A force-unlocked podlab that comes back must not remove the lock a new
// holder took meanwhile: Unlock deletes only its own generation.
func TestUnlockNeverRemovesAnotherHoldersLock(t *testing.T) {
	fakeGCS(t)
	ctx := context.Background()
	dead, admin, next := newBackend(t, "p"), newBackend(t, "p"), newBackend(t, "p")
	info := state.NewLockInfo("apply", "test")
	if _, err := dead.Lock(ctx, "gke", info); err != nil {
		t.Fatal(err)
	}
	if err := admin.ForceUnlock(ctx, "gke", "not-the-id"); err == nil || !strings.Contains(err.Error(), info.ID) {
		t.Fatalf("force-unlock with a wrong ID = %v", err)
	}
	if err := admin.ForceUnlock(ctx, "gke", info.ID); err != nil {
		t.Fatal(err)
	}
	if err := admin.ForceUnlock(ctx, "gke", info.ID); err == nil || !strings.Contains(err.Error(), "not locked") {
		t.Fatalf("force-unlock of a free state = %v", err)
	}
	infoNext := state.NewLockInfo("apply", "test")
	if _, err := next.Lock(ctx, "gke", infoNext); err != nil {
		t.Fatal(err)
	}
	if err := dead.Unlock(ctx, "gke", info.ID); err == nil || !strings.Contains(err.Error(), "force-unlock") {
		t.Fatalf("the old holder's unlock = %v, want a refusal", err)
	}
	holder, _, err := admin.holder(ctx, admin.object("gke", "state.lock"))
	if err != nil || holder == nil || holder.ID != infoNext.ID {
		t.Fatalf("lock after the old holder's unlock = %+v, %v; the new holder's lock was removed", holder, err)
	}
}

// Many podlabs, each locking, reading, adding one and writing: no update
// is lost.
func TestConcurrentLockedUpdates(t *testing.T) {
	fakeGCS(t)
	const writers, each = 4, 3
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := newBackend(t, "race")
			for range each {
				if err := increment(b, fmt.Sprintf("writer %d", i)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st, err := newBackend(t, "race").Read(context.Background(), "gke")
	if err != nil || st.Serial != writers*each {
		t.Fatalf("serial = %d, %v, want %d", st.Serial, err, writers*each)
	}
}

// increment is one podlab command: open the state with the lock, change
// it once, close.
func increment(b *Backend, who string) error {
	ctx := context.Background()
	m, err := state.Open(ctx, b, "gke", state.OpenOptions{Lab: "lab", Lock: true, LockTimeout: time.Minute, Operation: who, Version: "test"})
	if err != nil {
		return err
	}
	if err := m.Update(ctx, func(*state.State) {}); err != nil {
		m.Close()
		return err
	}
	return m.Close()
}

// The same two races between processes: each process is this test binary
// run as a helper.
func TestTwoProcesses(t *testing.T) {
	host := fakeGCS(t)
	t.Run("locked updates", func(t *testing.T) {
		var cmds []*exec.Cmd
		for range 2 {
			cmd := helper(t, host, "increment", "5")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if err := cmd.Wait(); err != nil {
				t.Fatalf("helper: %v\n%s", err, cmd.Stderr)
			}
		}
		st, err := newBackend(t, "procs").Read(context.Background(), "gke")
		if err != nil || st.Serial != 10 {
			t.Fatalf("serial = %+v, %v, want 10", st, err)
		}
	})
	t.Run("unlocked writers from one read", func(t *testing.T) {
		// Both read, then both write at once (as podlab -lock=false
		// would): exactly one write lands.
		type proc struct {
			cmd *exec.Cmd
			in  io.WriteCloser
			out *bufio.Reader
		}
		var ps []proc
		for range 2 {
			cmd := helper(t, host, "stale-write")
			in, _ := cmd.StdinPipe()
			outPipe, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			out := bufio.NewReader(outPipe)
			if line, err := out.ReadString('\n'); err != nil || strings.TrimSpace(line) != "read" {
				t.Fatalf("helper did not read: %q %v (%s)", line, err, cmd.Stderr)
			}
			ps = append(ps, proc{cmd, in, out})
		}
		for _, p := range ps {
			fmt.Fprintln(p.in, "go")
		}
		var results []string
		for _, p := range ps {
			line, _ := p.out.ReadString('\n')
			results = append(results, strings.TrimSpace(line))
			_ = p.cmd.Wait()
		}
		ok, conflicts := 0, 0
		for _, r := range results {
			switch {
			case r == "wrote":
				ok++
			case strings.HasPrefix(r, "conflict"):
				conflicts++
			}
		}
		if ok != 1 || conflicts != 1 {
			t.Fatalf("results = %q, want one write and one conflict", results)
		}
	})
}

func helper(t *testing.T, host string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "PODLAB_GCS_HELPER="+strings.Join(args, " "), "STORAGE_EMULATOR_HOST="+host)
	cmd.Stderr = &strings.Builder{}
	return cmd
}

// TestHelperProcess is the other process of TestTwoProcesses.
func TestHelperProcess(t *testing.T) {
	args := strings.Fields(os.Getenv("PODLAB_GCS_HELPER"))
	if len(args) == 0 {
		t.Skip("run by TestTwoProcesses")
	}
	b, err := New(context.Background(), testBucket, "procs")
	if err != nil {
		fail(err)
	}
	b.poll, b.maxPoll = 5*time.Millisecond, 50*time.Millisecond
	switch args[0] {
	case "increment":
		n, _ := strconv.Atoi(args[1])
		for range n {
			if err := increment(b, fmt.Sprintf("pid %d", os.Getpid())); err != nil {
				fail(err)
			}
		}
	case "stale-write":
		ctx := context.Background()
		if _, err := b.Read(ctx, "stale"); err != nil {
			fail(err)
		}
		fmt.Println("read")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		err := b.Write(ctx, "stale", state.New("lab", "stale"))
		var ce *ConflictError
		switch {
		case err == nil:
			fmt.Println("wrote")
		case errors.As(err, &ce):
			fmt.Println("conflict:", err)
		default:
			fail(err)
		}
	}
	os.Exit(0)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func TestMissingBucketIsExplained(t *testing.T) {
	fakeGCS(t)
	b, err := New(context.Background(), "no-such-bucket", "p")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Write(context.Background(), "gke", state.New("l", "gke"))
	if err == nil || !strings.Contains(err.Error(), "gcloud storage buckets create gs://no-such-bucket") {
		t.Fatalf("write to a missing bucket = %v", err)
	}
	_, err = b.Lock(context.Background(), "gke", state.NewLockInfo("apply", "test"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("lock in a missing bucket = %v", err)
	}
	if _, err := New(context.Background(), "gs://bucket", ""); err == nil {
		t.Fatal("a gs:// URL was taken as a bucket name")
	}
}
