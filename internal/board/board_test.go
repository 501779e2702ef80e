package board

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/state"
)

func TestTokens(t *testing.T) {
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	tok, err := NewTokens(true)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := NewTokens(true)
	kim := tok.Seat("김철수", now.Add(time.Hour))
	for _, tt := range []struct {
		name, token, seat string
		needInstructor    bool
		want              error
		all               bool
	}{
		{"instructor token", tok.Instructor, "", true, nil, true},
		{"no token on loopback", "", "", false, nil, true},
		{"no token beyond loopback", "", "", true, ErrBadToken, false},
		{"seat's own token", kim, "김철수", true, nil, false},
		{"seat token for the class", kim, "", true, ErrOtherSeat, false},
		{"another seat's token", kim, "lee", false, ErrOtherSeat, false},
		{"another board's token", other.Seat("김철수", now.Add(time.Hour)), "김철수", false, ErrBadToken, false},
		{"expired", tok.Seat("김철수", now.Add(-time.Second)), "김철수", false, ErrExpiredToken, false},
		{"tampered expiry", strings.Replace(tok.Seat("kim", now.Add(-time.Hour)), ".", ".9", 1), "kim", false, ErrBadToken, false},
		{"garbage", "x.y", "kim", false, ErrBadToken, false},
		{"no token for a seat", "", "kim", false, ErrBadToken, false},
	} {
		a, err := tok.Check(tt.token, tt.seat, tt.needInstructor, now)
		if !errors.Is(err, tt.want) || (err == nil && a.All != tt.all) {
			t.Errorf("%s: access %+v, error %v; want error %v, all %v", tt.name, a, err, tt.want, tt.all)
		}
	}
}

func testServer(t *testing.T, needToken bool) (*Server, *httptest.Server) {
	t.Helper()
	tok, err := NewTokens(needToken)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	s := &Server{Lab: "pods", Env: "gke", Tokens: tok, NeedToken: needToken, Now: func() time.Time { return t0.Add(15 * time.Minute) }}
	st := state.New("pods", "gke")
	var latest []*check.Result
	for _, seat := range []string{"kim", "lee"} {
		r := &check.Result{Address: `seat["` + seat + `"].exercise.pod.check["running"]`, Instance: `seat["` + seat + `"].exercise.pod`,
			Exercise: "pod", Seat: seat, Name: "running", Passed: seat == "kim", At: t0}
		if !r.Passed {
			r.Expected, r.Seen, r.Try = "pod web Ready", "no pod web in namespace pods-lee-pod; it has no pods", "kubectl get pods -n pods-lee-pod"
		}
		st.SetCheck(&state.CheckResult{Address: r.Address, Instance: r.Instance, Seat: seat, Name: r.Name, Passed: r.Passed, At: t0.Add(4 * time.Minute)})
		latest = append(latest, r)
	}
	st.Progress[0].Since = t0 // kim: first graded at t0, passed at t0+4m
	st.Progress[1].Since, st.Progress[1].ChangedAt = t0, t0
	s.Publish(latest, st.Progress, 10*time.Minute)
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return s, hs
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		b.WriteString(sc.Text() + "\n")
	}
	return res.StatusCode, b.String()
}

func TestBoardAccess(t *testing.T) {
	s, hs := testServer(t, true)
	kim := url.QueryEscape(s.Tokens.Seat("kim", s.Now().Add(time.Hour)))
	for _, tt := range []struct {
		path string
		want int
	}{
		{"/", 401},
		{"/?token=wrong", 401},
		{"/?token=" + s.Tokens.Instructor, 200},
		{"/seat/kim?token=" + kim, 200},
		{"/seat/lee?token=" + kim, 401},
		{"/snapshot?seat=lee&token=" + kim, 401},
		{"/events?token=" + kim, 401},
		{"/seat/kim?token=" + url.QueryEscape(s.Tokens.Seat("kim", s.Now().Add(-time.Minute))), 401},
		{"/nothing", 404},
	} {
		if code, body := get(t, hs.URL+tt.path); code != tt.want {
			t.Errorf("GET %s: %d, want %d: %s", tt.path, code, tt.want, body)
		}
	}
	// A seat sees its own row and no class summary.
	code, body := get(t, hs.URL+"/snapshot?seat=kim&token="+kim)
	var snap Snapshot
	if err := json.Unmarshal([]byte(body), &snap); code != 200 || err != nil {
		t.Fatalf("seat snapshot %d %v: %s", code, err, body)
	}
	if len(snap.Seats) != 1 || snap.Seats[0].Seat != "kim" || snap.Summary != nil || snap.Checks[0].Passed != 0 {
		t.Errorf("kim's snapshot shows more than kim's row: %s", body)
	}
	// The class: both rows, lee stuck (failing 15m > 10m), kim's time
	// to first pass.
	_, body = get(t, hs.URL+"/snapshot?token="+s.Tokens.Instructor)
	snap = Snapshot{}
	_ = json.Unmarshal([]byte(body), &snap)
	if len(snap.Seats) != 2 || !snap.Seats[1].Stuck || snap.Seats[0].Stuck || snap.Seats[0].Cells[0].FirstPass != "4m00s" ||
		snap.Summary == nil || snap.Summary.Done != 1 || snap.Summary.Stuck != 1 || snap.Seats[1].Cells[0].Try == "" {
		t.Errorf("class snapshot: %s", body)
	}
}

// The page is whole as served: no script, style, font or image from
// anywhere else.
func TestBoardPageSelfContained(t *testing.T) {
	_, hs := testServer(t, false)
	code, body := get(t, hs.URL+"/")
	if code != 200 {
		t.Fatalf("GET /: %d", code)
	}
	for _, bad := range []string{"http://", "https://", "src=", "<link", "@import", "url("} {
		if strings.Contains(body, bad) {
			t.Errorf("the board page refers elsewhere: %q", bad)
		}
	}
}

// The stream sends the board at once and again on every publish.
func TestBoardEvents(t *testing.T) {
	s, hs := testServer(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+"/events", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	next := func() Snapshot {
		t.Helper()
		for sc.Scan() {
			if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var snap Snapshot
				if err := json.Unmarshal([]byte(data), &snap); err != nil {
					t.Fatal(err)
				}
				return snap
			}
		}
		t.Fatalf("the stream ended: %v", sc.Err())
		return Snapshot{}
	}
	if first := next(); len(first.Seats) != 2 {
		t.Fatalf("first event: %+v", first)
	}
	s.Publish(nil, nil, time.Minute)
	if second := next(); len(second.Seats) != 0 {
		t.Errorf("second event: %+v", second)
	}
}
