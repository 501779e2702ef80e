package views

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/podlab/podlab/check"
	"github.com/podlab/podlab/internal/golden"
	"github.com/podlab/podlab/internal/i18n"
	"github.com/podlab/podlab/plan"
)

func TestWidth(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{
		{"kim", 3},
		{"김민수", 6},
		{"Lee 이수진", 10},
		{"🎉", 2},
		{"👩‍💻", 2},                // one ZWJ sequence
		{"✓✗·×…", 5},              // ambiguous width: one column, whatever LANG says
		{"\u1100\u1175\u11b7", 2}, // 김 as decomposed jamo
	} {
		if got := Width(tt.in); got != tt.want {
			t.Errorf("Width(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	nfd := strings.Repeat("\u1100\u1175\u11b7", 6) // 김김김김김김, decomposed
	for _, tt := range []struct {
		in   string
		w    int
		want string
	}{
		{"kim", 5, "kim"},
		{"김민수", 6, "김민수"},
		{"김민수김민수", 7, "김민수…"},
		{"김민수김민수", 8, "김민수…"}, // the 4th syllable would need columns 7-8 and the ellipsis a 9th
		{"kim김민수", 6, "kim김…"},
		{"🎉🎉🎉", 4, "🎉…"},
		{"👩‍💻👩‍💻", 3, "👩‍💻…"},
		{nfd, 7, strings.Repeat("\u1100\u1175\u11b7", 3) + "…"},
	} {
		got := Truncate(tt.in, tt.w)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
		if Width(got) > tt.w {
			t.Errorf("Truncate(%q, %d) = %q is %d columns wide", tt.in, tt.w, got, Width(got))
		}
	}
}

// koreanClass: seats with Hangul, mixed Hangul/Latin and emoji names, and
// checks named the same ways; 🎉파티 fails the exec check.
func koreanClass() []*check.Result {
	var out []*check.Result
	for _, seat := range []string{"김민수", "kim", "Lee 이수진", "🎉파티", "아주아주아주아주아주아주긴이름을가진학생입니다"} {
		for _, c := range []struct{ ex, name, kind, desc string }{
			{"nginx_pod", "실행 중", "ready", "kubectl get pods: my-nginx-pod가 1/1 Running입니다."},
			{"nginx_pod", "pod IP 응답", "http", ""},
			{"sidecar", "curl localhost 🚀", "exec", "localhost로 접속하면 nginx로 접속이 가능합니다."},
		} {
			r := &check.Result{
				Address:  `seat["` + seat + `"].exercise.` + c.ex + `.check["` + c.name + `"]`,
				Instance: `seat["` + seat + `"].exercise.` + c.ex, Exercise: c.ex, Seat: seat, Name: c.name, Kind: c.kind,
				Description: c.desc, Passed: true, Duration: 120 * time.Millisecond, At: time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
			}
			if seat == "🎉파티" && c.kind == "exec" {
				r.Passed = false
				r.Expected, r.Seen = `exit code 0, stdout contains "Welcome"`, "exit code 7"
				r.Try = "kubectl exec -n ns my-nginx-pod -- curl -s localhost"
			}
			out = append(out, r)
		}
	}
	return out
}

// displayCol is the display column at which sub starts in line.
func displayCol(t *testing.T, line, sub string) int {
	t.Helper()
	i := strings.Index(line, sub)
	if i < 0 {
		t.Fatalf("%q has no %q", line, sub)
	}
	return Width(line[:i])
}

func TestGoldenKoreanMatrix(t *testing.T) {
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) {
			var out bytes.Buffer
			v := &View{Out: &out, Err: &out, Width: 100}
			tag, _ := i18n.Parse(lang)
			v.SetLanguage(tag)
			v.CheckResults("교실", koreanClass())
			golden.Check(t, filepath.Join("testdata", "matrix-hangul."+lang+".txt"), out.Bytes())
			// Every row's first mark and its count start at the same
			// display column as the header's.
			lines := strings.Split(out.String(), "\n")
			var header string
			for _, l := range lines {
				if strings.HasPrefix(strings.TrimSpace(l), v.T("SEAT")) {
					header = l
					break
				}
			}
			markCol, countCol := displayCol(t, header, "1"), displayCol(t, header, v.T("PASSED"))
			rows := 0
			for _, l := range lines {
				if !strings.Contains(l, "/3") || !strings.HasPrefix(l, "  ") || strings.Contains(l, ":") {
					continue
				}
				rows++
				first := strings.IndexAny(l, "✓✗·")
				if got := Width(l[:first]); got != markCol {
					t.Errorf("row %q: marks start at column %d, the header's at %d", l, got, markCol)
				}
				if got := displayCol(t, l, "/3") - 1; got != countCol {
					t.Errorf("row %q: the count starts at column %d, the header's at %d", l, got, countCol)
				}
			}
			if rows != 5 {
				t.Errorf("found %d seat rows, want 5:\n%s", rows, out.String())
			}
			if !strings.Contains(out.String(), "  아주아주아주아주아주아주긴이름을가진학…   ✓") {
				t.Errorf("the long seat name is not cut to 40 columns (39 and the ellipsis: a 20th syllable would take columns 39-40) with an ellipsis:\n%s", out.String())
			}
		})
	}
}

// One seat: the plain table, whose columns line up by display width, and
// a failure block in the chosen language.
func TestGoldenKoreanCheckTable(t *testing.T) {
	var results []*check.Result
	for _, r := range koreanClass() {
		if r.Seat == "🎉파티" {
			r.Seat, r.Address, r.Instance = "", strings.TrimPrefix(r.Address, `seat["🎉파티"].`), strings.TrimPrefix(r.Instance, `seat["🎉파티"].`)
			results = append(results, r)
		}
	}
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) {
			var out bytes.Buffer
			v := &View{Out: &out, Err: &out, Width: 100}
			tag, _ := i18n.Parse(lang)
			v.SetLanguage(tag)
			v.CheckResults("교실", results)
			golden.Check(t, filepath.Join("testdata", "checks-hangul."+lang+".txt"), out.Bytes())
			var resultCols []int
			for _, l := range strings.Split(out.String(), "\n") {
				for _, w := range []string{v.T("RESULT"), v.T("PASS") + " ", v.T("FAIL") + " "} {
					if strings.HasPrefix(l, "  ") && strings.Contains(l, w) && !strings.Contains(l, ":") {
						resultCols = append(resultCols, displayCol(t, l, w))
						break
					}
				}
			}
			if len(resultCols) != 4 {
				t.Fatalf("found %d table lines, want 4:\n%s", len(resultCols), out.String())
			}
			for _, c := range resultCols[1:] {
				if c != resultCols[0] {
					t.Errorf("the result column is not aligned (columns %v):\n%s", resultCols, out.String())
				}
			}
		})
	}
	var out bytes.Buffer
	v := &View{Out: &out, Err: &out}
	v.SetLanguage(i18n.Korean)
	v.CheckResults("교실", results)
	for _, want := range []string{"실패한 검사:", "기대: exit code 0", "실제: exit code 7", "확인: kubectl exec", "검사 3개: 2개 통과, 1개 실패.", "localhost로 접속하면"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the Korean results lack %q:\n%s", want, out.String())
		}
	}
}

func TestGoldenKoreanStatus(t *testing.T) {
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.Local)
	exp := now.Add(90 * time.Minute)
	past := now.Add(-time.Hour)
	rows := []StatusRow{
		{Environment: "gke", Cluster: "gke", Created: true, Objects: 12, Seats: 3, Passed: 17, Failed: 1, ExpiresAt: &exp},
		{Environment: "교실", Cluster: "kubeconfig", Objects: 4},
		{Environment: "🎉@가을", Cluster: "kubeconfig", Objects: 2, Passed: 6, ExpiresAt: &past, Expired: true},
		{Environment: "broken", Error: "state.json: unexpected end of JSON input"},
	}
	for _, lang := range []string{"en", "ko"} {
		t.Run(lang, func(t *testing.T) {
			var out bytes.Buffer
			v := &View{Out: &out, Err: &out}
			tag, _ := i18n.Parse(lang)
			v.SetLanguage(tag)
			v.Status("pod-basics", rows, now)
			golden.Check(t, filepath.Join("testdata", "status-hangul."+lang+".txt"), out.Bytes())
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			objCol := displayCol(t, lines[0], v.T("OBJECTS"))
			for i, want := range []string{"12", "4", "2"} {
				if got := displayCol(t, lines[i+1], "   "+want+"   ") + 3; got != objCol {
					t.Errorf("line %q: objects at column %d, header at %d", lines[i+1], got, objCol)
				}
			}
		})
	}
	var out bytes.Buffer
	v := &View{Out: &out, Err: &out}
	v.Status("pod-basics", nil, now)
	if got := out.String(); got != "No environment of lab pod-basics has state yet.\n" {
		t.Errorf("empty status: %q", got)
	}
	out.Reset()
	v.JSON = true
	v.Status("pod-basics", rows, now)
	if n := strings.Count(out.String(), "\n"); n != len(rows) || !strings.HasPrefix(out.String(), `{"environment":"gke",`) {
		t.Errorf("status -json is not one object per line:\n%s", out.String())
	}
}

func TestGoldenKoreanPlanSummary(t *testing.T) {
	p := everyAction()
	p.Outputs = append(p.Outputs, &plan.Output{Name: "주소", Known: true, Display: `"10.0.0.1"`})
	var out bytes.Buffer
	v := &View{Out: &out, Err: &out}
	v.SetLanguage(i18n.Korean)
	v.Plan(p)
	v.Plan(&plan.Plan{Lab: "pod-basics", Environment: "교실", Refreshed: true})
	golden.Check(t, filepath.Join("testdata", "plan-hangul.ko.txt"), out.Bytes())
	for _, want := range []string{"계획: 추가 ", "변경 없음.", `랩 "pod-basics"의 환경 "교실"이(가) 구성과 일치합니다.`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the Korean plan lacks %q:\n%s", want, out.String())
		}
	}
	// Output names line up by display width: "주소" takes four columns.
	var eq []int
	for _, l := range strings.Split(out.String(), "\n") {
		for _, name := range []string{"  ip ", "  token ", "  namespaces ", "  주소 "} {
			if strings.HasPrefix(l, name) {
				eq = append(eq, displayCol(t, l, "="))
			}
		}
	}
	if len(eq) != 4 {
		t.Fatalf("found %d output lines:\n%s", len(eq), out.String())
	}
	for _, c := range eq[1:] {
		if c != eq[0] {
			t.Errorf("outputs' = not aligned: %v", eq)
		}
	}
}

func TestKoreanReport(t *testing.T) {
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{`<html lang="en">`, "<title>pod-basics — grading report, 교실</title>", `<td class="seat">김민수</td>`, "expected: exit code 0"}},
		{"ko", []string{`<html lang="ko">`, "<title>pod-basics — 채점 보고서, 교실</title>", `<td class="seat">🎉파티</td>`, "<th rowspan=\"2\">좌석</th>",
			"기대: exit code 0", "실제: exit code 7", `<div class="desc">localhost로 접속하면`, `title="kubectl get pods: my-nginx-pod가 1/1 Running입니다."`}},
	} {
		tag, _ := i18n.Parse(tt.lang)
		path := filepath.Join(t.TempDir(), "report.html")
		if err := WriteReport(path, "pod-basics", "교실", koreanClass(), tag); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		html := string(b)
		for _, w := range tt.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: the report lacks %q", tt.lang, w)
			}
		}
		// Korean fonts come before the generic family, in the body's font.
		body := html[strings.Index(html, "body { font:"):]
		body = body[:strings.Index(body, ";")]
		generic := strings.Index(body, "sans-serif")
		for _, font := range []string{`"Noto Sans CJK KR"`, `"Noto Sans KR"`, `"Apple SD Gothic Neo"`, `"Malgun Gothic"`, `"NanumGothic"`} {
			if i := strings.Index(body, font); i < 0 || i > generic {
				t.Errorf("%s: the body font %s lacks %s before sans-serif", tt.lang, body, font)
			}
		}
		for _, bad := range []string{"<script", "<link", "src=", "url(", "@import", "http://", "https://"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s: the report is not self-contained: it has %q", tt.lang, bad)
			}
		}
	}
}
