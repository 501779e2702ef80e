// Command board measures podlab board on the test cluster (bench/board.sh
// runs it): how long after a student's pod becomes Ready its cell turns
// to passing on the board (median and p95), the Kubernetes API requests a
// board makes per minute at rest, and the board's memory over a run.
//
// It makes a lab of -seats seats with one student exercise of 6 checks,
// applies it, starts podlab board, creates each seat's pod in turn (as
// the admin: what matters is the board seeing it) and reads the board's
// event stream as a browser would, then measures the board at rest.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlab/podlab/internal/board"
	"github.com/podlab/podlab/state"
)

const lab = `lab {
  name        = "bb"
  seats       = %d
  stuck_after = "10m"
}
cluster "kubeconfig" {
  kubeconfig {}
}
exercise "web" {
  mode      = "student"
  manifests = [file("pod.yaml")]
  check "running" {
    ready { pod = "web" }
  }
  check "no restarts" {
    ready {
      pod          = "web"
      max_restarts = 0
    }
  }
  check "serves the page" {
    exec {
      pod           = "web"
      command       = ["cat", "/usr/share/nginx/html/index.html"]
      expect_stdout = "Welcome to nginx!"
    }
  }
  check "nginx answers" {
    exec {
      pod     = "web"
      command = ["nginx", "-t"]
    }
  }
  check "has its config" {
    exec {
      pod     = "web"
      command = ["ls", "/etc/nginx/nginx.conf"]
    }
  }
  check "api serves pods" {
    api_resources {
      api_version = "v1"
      resource    = "pods"
      kind        = "Pod"
    }
  }
}
`

const podYAML = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  terminationGracePeriodSeconds: 0\n  containers:\n  - name: nginx\n    image: nginx:latest\n"

var (
	podlab  = flag.String("podlab", "bin/podlab", "the podlab binary")
	seats   = flag.Int("seats", 40, "seats")
	changes = flag.Int("changes", 40, "students' changes to time (at most -seats)")
	spacing = flag.Duration("spacing", 2*time.Second, "time between two students' changes")
	restFor = flag.Duration("rest", 4*time.Minute, "time at rest to count API requests and watch memory")
)

type run struct {
	dir, ws string
	env     []string
}

func (r *run) podlab(args ...string) (string, error) {
	cmd := exec.Command(*podlab, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// boardProc is a running podlab board.
type boardProc struct {
	cmd   *exec.Cmd
	url   string
	stats string
}

func (r *run) startBoard() (*boardProc, error) {
	stats := filepath.Join(r.dir, fmt.Sprintf("stats-%d.json", time.Now().UnixNano()))
	cmd := exec.Command(*podlab, "board", "-listen", "127.0.0.1:0", "-links", filepath.Join(r.dir, "links.tsv"))
	cmd.Dir, cmd.Env = r.dir, append(append([]string{}, r.env...), "PODLAB_API_STATS="+stats)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	re := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+/)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go io.Copy(io.Discard, out)
			return &boardProc{cmd: cmd, url: m[1], stats: stats}, nil
		}
	}
	return nil, fmt.Errorf("the board printed no address")
}

// stop interrupts the board and reads its request count.
func (b *boardProc) stop() (int64, int64, error) {
	_ = b.cmd.Process.Signal(os.Interrupt)
	_ = b.cmd.Wait()
	raw, err := os.ReadFile(b.stats)
	if err != nil {
		return 0, 0, err
	}
	var s map[string]int64
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, 0, err
	}
	return s["reads"] + s["writes"], s["max_rss_kb"], nil
}

func rssKB(pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// follow reads the board's stream and calls each with every snapshot.
func follow(ctx context.Context, url string, each func(*board.Snapshot, time.Time)) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 4<<20), 4<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			var s board.Snapshot
			if json.Unmarshal([]byte(data), &s) == nil {
				each(&s, time.Now())
			}
		}
	}
	return sc.Err()
}

func allPassing(s *board.Snapshot, n int) bool {
	if len(s.Seats) != n {
		return false
	}
	for _, r := range s.Seats {
		if r.Passed != r.Total {
			return false
		}
	}
	return true
}

func pct(d []time.Duration, p float64) time.Duration {
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func main() {
	flag.Parse()
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "bench/board:", err)
		os.Exit(1)
	}
}

func mainErr() error {
	ctx := context.Background()
	rest.SetDefaultWarningHandler(rest.NoWarnings{})
	kubeconfig := os.Getenv("KUBECONFIG")
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	admin := kubernetes.NewForConfigOrDie(cfg)
	dir, err := os.MkdirTemp("", "podlab-bench-board-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ws := fmt.Sprintf("bb%x", time.Now().UnixNano()%0xffffff)
	r := &run{dir: dir, ws: ws, env: append(os.Environ(), "PODLAB_WORKSPACE="+ws, "NO_COLOR=1")}
	if err := os.WriteFile(filepath.Join(dir, "lab.podlab.hcl"), []byte(fmt.Sprintf(lab, *seats)), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "pod.yaml"), []byte(podYAML), 0o644); err != nil {
		return err
	}
	if out, err := r.podlab("apply", "-auto-approve", "-checks=false"); err != nil {
		return fmt.Errorf("apply: %v\n%s", err, out)
	}
	defer func() {
		if out, err := r.podlab("destroy", "-auto-approve", "-grace-period", "0"); err != nil {
			fmt.Fprintf(os.Stderr, "destroy: %v\n%s", err, out)
		}
	}()
	raw, err := os.ReadFile(filepath.Join(dir, ".podlab", "envs", "kubeconfig@"+ws, "state.json"))
	if err != nil {
		return err
	}
	st, err := state.Decode(raw)
	if err != nil {
		return err
	}
	nsOf := map[string]string{}
	for _, o := range st.Objects {
		if o.Kind == "Namespace" && o.ExerciseNamespace && strings.HasSuffix(o.Instance, ".exercise.web") {
			nsOf[o.Seat] = o.Name
		}
	}
	var seatNames []string
	for s := range nsOf {
		seatNames = append(seatNames, s)
	}
	sort.Strings(seatNames)

	// Phase 1: latency from Ready to the cell.
	b, err := r.startBoard()
	if err != nil {
		return err
	}
	start := time.Now()
	var mu sync.Mutex
	ready := map[string]time.Time{}
	cell := map[string]time.Time{}
	first := make(chan struct{})
	var once sync.Once
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go follow(sctx, b.url, func(s *board.Snapshot, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		if len(s.Seats) == *seats {
			once.Do(func() { close(first) })
		}
		for _, row := range s.Seats {
			if len(row.Cells) > 0 && row.Cells[0].State == "pass" && cell[row.Seat].IsZero() {
				cell[row.Seat] = at
			}
		}
	})
	select {
	case <-first:
	case <-time.After(5 * time.Minute):
		_, _, _ = b.stop()
		return fmt.Errorf("the board showed no full grid within 5m")
	}
	fmt.Printf("seats %d: board up, every seat graded once, in %s\n", *seats, time.Since(start).Round(100*time.Millisecond))
	var pod corev1.Pod
	pod.Name = "web"
	pod.Spec.TerminationGracePeriodSeconds = new(int64)
	pod.Spec.Containers = []corev1.Container{{Name: "nginx", Image: "nginx:latest"}}
	for _, seat := range seatNames[:min(*changes, len(seatNames))] {
		ns := nsOf[seat]
		p := pod.DeepCopy()
		if _, err := admin.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			return err
		}
		go func() {
			w, err := admin.CoreV1().Pods(ns).Watch(sctx, metav1.ListOptions{FieldSelector: "metadata.name=web"})
			if err != nil {
				return
			}
			defer w.Stop()
			for ev := range w.ResultChan() {
				pp, ok := ev.Object.(*corev1.Pod)
				if !ok {
					continue
				}
				for _, c := range pp.Status.Conditions {
					if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
						mu.Lock()
						if ready[seat].IsZero() {
							ready[seat] = time.Now()
						}
						mu.Unlock()
						return
					}
				}
			}
		}()
		time.Sleep(*spacing)
	}
	deadline := time.Now().Add(5 * time.Minute)
	for {
		mu.Lock()
		done := 0
		for _, seat := range seatNames[:min(*changes, len(seatNames))] {
			if !cell[seat].IsZero() && !ready[seat].IsZero() {
				done++
			}
		}
		mu.Unlock()
		if done == min(*changes, len(seatNames)) {
			break
		}
		if time.Now().After(deadline) {
			_, _, _ = b.stop()
			return fmt.Errorf("only %d of %d cells turned to passing within 5m", done, *changes)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var lat []time.Duration
	mu.Lock()
	for seat, c := range cell {
		if rd, ok := ready[seat]; ok {
			lat = append(lat, max(c.Sub(rd), 0))
		}
	}
	mu.Unlock()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	fmt.Printf("seats %d: pod Ready -> board cell passing over %d changes: median %s, p95 %s, max %s\n",
		*seats, len(lat), lat[len(lat)/2].Round(10*time.Millisecond), pct(lat, 0.95).Round(10*time.Millisecond), lat[len(lat)-1].Round(10*time.Millisecond))
	cancel()
	if _, _, err := b.stop(); err != nil {
		return err
	}
	for _, seat := range seatNames[min(*changes, len(seatNames)):] {
		// The rest of the class finishes too, so that rest is rest.
		if _, err := admin.CoreV1().Pods(nsOf[seat]).Create(ctx, pod.DeepCopy(), metav1.CreateOptions{}); err != nil {
			return err
		}
	}

	// Phase 2: requests at rest. A board that stops once the class is
	// graded, and one that then rests: the difference is the rest's.
	measure := func(restFor time.Duration) (int64, []int64, error) {
		b, err := r.startBoard()
		if err != nil {
			return 0, nil, err
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		graded := make(chan struct{})
		var once sync.Once
		go follow(ctx, b.url, func(s *board.Snapshot, _ time.Time) {
			if allPassing(s, *seats) {
				once.Do(func() { close(graded) })
			}
		})
		select {
		case <-graded:
		case <-time.After(5 * time.Minute):
			_, _, _ = b.stop()
			return 0, nil, fmt.Errorf("the class was not all passing within 5m")
		}
		var rss []int64
		end := time.Now().Add(restFor)
		for time.Now().Before(end) {
			rss = append(rss, rssKB(b.cmd.Process.Pid))
			time.Sleep(min(10*time.Second, time.Until(end)+time.Millisecond))
		}
		rss = append(rss, rssKB(b.cmd.Process.Pid))
		cancel()
		n, _, err := b.stop()
		return n, rss, err
	}
	n0, _, err := measure(0)
	if err != nil {
		return err
	}
	n1, rss, err := measure(*restFor)
	if err != nil {
		return err
	}
	perMin := float64(n1-n0) / restFor.Minutes()
	peak := int64(0)
	for _, v := range rss {
		peak = max(peak, v)
	}
	fmt.Printf("seats %d: API requests at rest: %.1f a minute (%d over %s; start-up and first grading %d)\n", *seats, perMin, n1-n0, *restFor, n0)
	fmt.Printf("seats %d: board RSS over %s at rest: first %d MB, last %d MB, peak %d MB\n", *seats, *restFor, rss[0]/1024, rss[len(rss)-1]/1024, peak/1024)
	return nil
}
