package state

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests below re-run the test binary as helper processes, so that
// locks and writes really race between processes.
const helperEnv = "PODLAB_STATE_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "hold":
		os.Exit(helperHold())
	case "increment":
		os.Exit(helperIncrement())
	case "write-loop":
		os.Exit(helperWriteLoop())
	}
	os.Exit(2)
}

func helper(t *testing.T, mode, dir string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "STATE_DIR="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

// helperHold takes the lock, says so on stdout, and holds it until stdin
// closes.
func helperHold() int {
	b := NewLocal(os.Getenv("STATE_DIR"))
	id, err := b.Lock(context.Background(), "env", NewLockInfo("apply", "test"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked", id)
	buf := make([]byte, 1)
	os.Stdin.Read(buf)
	return 0
}

// helperIncrement opens the state with its lock N times and bumps a
// counter output each time, as concurrent podlab commands would.
func helperIncrement() int {
	b := NewLocal(os.Getenv("STATE_DIR"))
	n, _ := strconv.Atoi(os.Getenv("N"))
	for i := 0; i < n; i++ {
		m, err := Open(context.Background(), b, "env", OpenOptions{Lab: "lab", Lock: true, LockTimeout: time.Minute, Operation: "increment"})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		err = m.Update(context.Background(), func(s *State) {
			s.SetObject(&Object{Address: fmt.Sprintf("obj.%d.%d", os.Getpid(), i)})
		})
		m.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// helperWriteLoop writes growing states as fast as it can until killed.
func helperWriteLoop() int {
	b := NewLocal(os.Getenv("STATE_DIR"))
	m, err := Open(context.Background(), b, "env", OpenOptions{Lab: "lab", Lock: true, LockTimeout: time.Minute})
	if err != nil {
		return 1
	}
	for {
		_ = m.Update(context.Background(), func(s *State) {
			// One new object per write: a state whose object count is not
			// its serial is a torn write.
			s.SetObject(&Object{Address: fmt.Sprintf("obj.%06d", s.Serial), Attributes: map[string]string{"pad": strings.Repeat("x", 500)}})
		})
	}
}

func TestWriteKeepsBackupAndSerial(t *testing.T) {
	dir := t.TempDir()
	b := NewLocal(dir)
	m, err := Open(context.Background(), b, "env", OpenOptions{Lab: "lab", Lock: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := 1; i <= 3; i++ {
		if err := m.Update(context.Background(), func(s *State) { s.SetObject(&Object{Address: fmt.Sprint("o", i)}) }); err != nil {
			t.Fatal(err)
		}
	}
	cur, err := b.Read(context.Background(), "env")
	if err != nil {
		t.Fatal(err)
	}
	if cur.Serial != 3 || len(cur.Objects) != 3 {
		t.Fatalf("serial %d with %d objects, want 3 and 3", cur.Serial, len(cur.Objects))
	}
	raw, err := os.ReadFile(b.BackupPath("env"))
	if err != nil {
		t.Fatal(err)
	}
	prev, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	if prev.Serial != 2 || prev.Lineage != cur.Lineage {
		t.Errorf("backup has serial %d (lineage %s), want the previous copy: serial 2, lineage %s", prev.Serial, prev.Lineage, cur.Lineage)
	}
	if st, _ := os.Stat(filepath.Join(b.EnvDir("env"), "state.json")); st.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600 (it may name hosts and endpoints)", st.Mode().Perm())
	}
}

func TestReadRefusesWhatItCannotTrust(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"truncated", `{"format_version": 1, "serial": 3, "lin`, "state is corrupt"},
		{"empty", ``, "state is corrupt"},
		{"no lineage", `{"format_version": 1, "serial": 3}`, "no lineage"},
		{"no version", `{"serial": 3, "lineage": "x"}`, "no format_version"},
		{"newer", `{"format_version": 2, "serial": 3, "lineage": "x"}`, "newer podlab"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewLocal(t.TempDir())
			os.MkdirAll(b.EnvDir("env"), 0o700)
			os.WriteFile(filepath.Join(b.EnvDir("env"), "state.json"), []byte(tc.content), 0o600)
			_, err := b.Read(context.Background(), "env")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to say %q", err, tc.want)
			}
			if tc.want == "state is corrupt" && !strings.Contains(err.Error(), b.BackupPath("env")) {
				t.Errorf("error should point at the backup: %v", err)
			}
		})
	}
}

func TestOpenRefusesForeignState(t *testing.T) {
	b := NewLocal(t.TempDir())
	m, err := Open(context.Background(), b, "env", OpenOptions{Lab: "lab-a"})
	if err != nil {
		t.Fatal(err)
	}
	m.Update(context.Background(), func(*State) {})
	_, err = Open(context.Background(), b, "env", OpenOptions{Lab: "lab-b"})
	if err == nil || !strings.Contains(err.Error(), `holds the state of lab "lab-a"`) {
		t.Fatalf("foreign state not refused: %v", err)
	}
}

func TestLockHeldByAnotherProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := helper(t, "hold", dir)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	n, _ := out.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "locked") {
		t.Fatalf("helper did not lock: %q", buf[:n])
	}
	b := NewLocal(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := b.Lock(ctx, "env", NewLockInfo("plan", "test"))
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("want a LockedError, got %v", err)
	}
	if le.Holder == nil || le.Holder.PID != cmd.Process.Pid || le.Holder.Operation != "apply" {
		t.Fatalf("holder %+v, want pid %d running apply", le.Holder, cmd.Process.Pid)
	}
	if !strings.Contains(err.Error(), fmt.Sprintf("pid %d", cmd.Process.Pid)) || !strings.Contains(err.Error(), "force-unlock") {
		t.Errorf("message should name the holder and the way out: %v", err)
	}
	// A process that dies, however it dies, releases its lock.
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	stdin.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	id, err := b.Lock(ctx2, "env", NewLockInfo("plan", "test"))
	if err != nil {
		t.Fatalf("lock after the holder died: %v", err)
	}
	if err := b.Unlock(context.Background(), "env", id); err != nil {
		t.Fatal(err)
	}
}

// Processes that each lock, read, change and write the state never lose
// an update, and the serial counts every write.
func TestConcurrentWritersNeverLoseUpdates(t *testing.T) {
	dir := t.TempDir()
	const procs, each = 4, 15
	var cmds []*exec.Cmd
	for i := 0; i < procs; i++ {
		c := helper(t, "increment", dir)
		c.Env = append(c.Env, fmt.Sprintf("N=%d", each))
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	for _, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("writer failed: %v", err)
		}
	}
	st, err := NewLocal(dir).Read(context.Background(), "env")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Objects) != procs*each || st.Serial != procs*each {
		t.Fatalf("%d objects at serial %d, want %d and %d", len(st.Objects), st.Serial, procs*each, procs*each)
	}
}

// A writer killed at any moment leaves a state that decodes: the old
// copy or the new one, never a mix.
func TestKilledWriterLeavesADecodableState(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	var last uint64
	for i := 0; i < 15; i++ {
		c := helper(t, "write-loop", dir)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(20+rng.IntN(150)) * time.Millisecond)
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
		st, err := NewLocal(dir).Read(context.Background(), "env")
		if err != nil {
			t.Fatalf("after kill %d: %v", i, err)
		}
		if st == nil {
			continue
		}
		if st.Serial < last {
			t.Fatalf("serial went back from %d to %d", last, st.Serial)
		}
		last = st.Serial
		if uint64(len(st.Objects)) != st.Serial {
			t.Fatalf("serial %d with %d objects: a half-written state", st.Serial, len(st.Objects))
		}
	}
	if last == 0 {
		t.Fatal("the writers never wrote anything")
	}
}
