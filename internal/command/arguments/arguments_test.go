package arguments

import (
	"errors"
	"flag"
	"reflect"
	"strings"
	"testing"
	"time"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

func TestParsePlan(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	defaults := func() *Plan {
		return &Plan{
			State:     State{Lock: true},
			Operation: Operation{Parallelism: 10},
			Refresh:   true,
		}
	}
	tests := []struct {
		name string
		args []string
		want func(p *Plan)
		err  string
	}{
		{"defaults", nil, func(p *Plan) {}, ""},
		{"single-dash long flag", []string{"-var", "target=gke"}, func(p *Plan) {
			p.Items = []VarItem{{Value: "target=gke"}}
		}, ""},
		{"double dash and =", []string{"--var=target=gke"}, func(p *Plan) {
			p.Items = []VarItem{{Value: "target=gke"}}
		}, ""},
		{"-var repeatable, files and values in the order given", []string{
			"-var", "a=1", "-var-file", "x.podlabvars", "-var", "b=[1, 2]", "-var-file=y.json", "-var", "a=3",
		}, func(p *Plan) {
			p.Items = []VarItem{
				{Value: "a=1"}, {File: true, Value: "x.podlabvars"}, {Value: "b=[1, 2]"},
				{File: true, Value: "y.json"}, {Value: "a=3"},
			}
		}, ""},
		{"an empty value", []string{"-var", "kubeconfig="}, func(p *Plan) {
			p.Items = []VarItem{{Value: "kubeconfig="}}
		}, ""},
		{"every option", []string{
			"-chdir", "labs/pods", "-out", "p.plan", "-destroy", "-refresh=false", "-detailed-exitcode",
			"-json", "-no-color", "-lock=false", "-lock-timeout", "30s", "-workspace", "evening",
			"-parallelism", "3", "-timeout", "5m", "-verbose",
		}, func(p *Plan) {
			p.Chdir, p.Out, p.Destroy, p.Refresh, p.DetailedExitcode = "labs/pods", "p.plan", true, false, true
			p.JSON, p.NoColor, p.Lock, p.LockTimeout, p.Workspace = true, true, false, 30*time.Second, "evening"
			p.Parallelism, p.Timeout, p.Verbose = 3, 5*time.Minute, true
		}, ""},
		{"interspersed flags are all read", []string{"-var", "a=1", "-json", "-var", "b=2"}, func(p *Plan) {
			p.Items = []VarItem{{Value: "a=1"}, {Value: "b=2"}}
			p.JSON = true
		}, ""},
		{"unknown flag", []string{"-bogus"}, nil, "flag provided but not defined: -bogus"},
		{"flag without its value", []string{"-var"}, nil, "flag needs an argument: -var"},
		{"stray argument", []string{"plan.out"}, nil, `podlab plan takes no arguments, got "plan.out"`},
		{"stray argument after flags", []string{"-var", "a=1", "extra"}, nil, "takes no arguments"},
		{"parallelism 0", []string{"-parallelism", "0"}, nil, "-parallelism must be 1 or more, not 0"},
		{"bad duration", []string{"-lock-timeout", "soon"}, nil, `invalid value "soon" for flag -lock-timeout`},
		{"bad boolean", []string{"-refresh=maybe"}, nil, `invalid boolean value "maybe" for -refresh`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, fs, err := ParsePlan(tt.args)
			if fs == nil {
				t.Fatal("no FlagSet returned (help needs it)")
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults()
			tt.want(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	parsers := map[string]func([]string) error{
		"validate":     func(a []string) error { _, _, err := ParseValidate(a); return err },
		"fmt":          func(a []string) error { _, _, err := ParseFmt(a); return err },
		"plan":         func(a []string) error { _, _, err := ParsePlan(a); return err },
		"apply":        func(a []string) error { _, _, err := ParseApply(a); return err },
		"destroy":      func(a []string) error { _, _, err := ParseDestroy(a); return err },
		"check":        func(a []string) error { _, _, err := ParseCheck(a); return err },
		"output":       func(a []string) error { _, _, err := ParseOutput(a); return err },
		"state":        func(a []string) error { _, _, err := ParseState(a); return err },
		"kubeconfig":   func(a []string) error { _, _, err := ParseKubeconfig(a); return err },
		"graph":        func(a []string) error { _, _, err := ParseGraph(a); return err },
		"init":         func(a []string) error { _, _, err := ParseInit(a); return err },
		"version":      func(a []string) error { _, _, err := ParseVersion(a); return err },
		"force-unlock": func(a []string) error { _, _, err := ParseForceUnlock(a); return err },
		"status":       func(a []string) error { _, _, err := ParseStatus(a); return err },
		"handout":      func(a []string) error { _, _, err := ParseHandout(a); return err },
		"bundle":       func(a []string) error { _, _, err := ParseBundle(a); return err },
	}
	for name, parse := range parsers {
		for _, h := range []string{"-h", "-help", "--help"} {
			if err := parse([]string{h}); !errors.Is(err, flag.ErrHelp) {
				t.Errorf("%s %s: got %v, want ErrHelp", name, h, err)
			}
		}
	}
}

func TestParseApply(t *testing.T) {
	tests := []struct {
		args []string
		file string
		auto bool
		err  string
	}{
		{nil, "", false, ""},
		{[]string{"p.plan"}, "p.plan", false, ""},
		// Flags after the plan file still count, as in Terraform.
		{[]string{"p.plan", "-auto-approve"}, "p.plan", true, ""},
		{[]string{"-auto-approve", "p.plan"}, "p.plan", true, ""},
		{[]string{"--", "-odd.plan"}, "-odd.plan", false, ""},
		{[]string{"a.plan", "b.plan"}, "", false, "at most one plan file, got 2 arguments"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			a, _, err := ParseApply(tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.PlanFile != tt.file || a.AutoApprove != tt.auto {
				t.Errorf("plan file %q, auto-approve %v; want %q, %v", a.PlanFile, a.AutoApprove, tt.file, tt.auto)
			}
			if !a.Checks {
				t.Error("-checks defaults to true")
			}
		})
	}
}

func TestParseCreateTimeout(t *testing.T) {
	tests := []struct {
		args []string
		want time.Duration
		err  string
	}{
		{nil, 0, ""},
		{[]string{"-create-timeout", "90s"}, 90 * time.Second, ""},
		{[]string{"-create-timeout=2m"}, 2 * time.Minute, ""},
		{[]string{"-create-timeout", "0s"}, 0, "-create-timeout must be positive"},
		{[]string{"-create-timeout=-5s"}, 0, "-create-timeout must be positive"},
		{[]string{"-create-timeout", "soon"}, 0, "invalid value"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			a, _, err := ParseApply(tt.args)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.CreateTimeout != tt.want {
				t.Errorf("create timeout %v, want %v", a.CreateTimeout, tt.want)
			}
		})
	}
}

func TestParseReplaceAndGracePeriod(t *testing.T) {
	a, _, err := ParseApply([]string{"-replace", `seat["kim"]`, "-replace=exercise.web.Pod.web", "-grace-period", "0"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.Replace, "|") != `seat["kim"]|exercise.web.Pod.web` {
		t.Errorf("-replace %q", a.Replace)
	}
	if g := a.GracePeriodSeconds(); g == nil || *g != 0 {
		t.Errorf("-grace-period 0 gives %v", g)
	}
	d, _, err := ParseDestroy(nil)
	if err != nil {
		t.Fatal(err)
	}
	if g := d.GracePeriodSeconds(); g != nil {
		t.Errorf("without -grace-period, each pod's own: got %d", *g)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func() error
		err   string
	}{
		{"state without subcommand", func() error { _, _, err := ParseState(nil); return err }, "needs a subcommand"},
		{"state show without address", func() error { _, _, err := ParseState([]string{"show"}); return err }, "needs an ADDRESS"},
		{"state bad subcommand", func() error { _, _, err := ParseState([]string{"mv"}); return err }, `not "mv"`},
		{"output two names", func() error { _, _, err := ParseOutput([]string{"a", "b"}); return err }, "at most one output name"},
		{"output -raw without name", func() error { _, _, err := ParseOutput([]string{"-raw"}); return err }, "-raw needs an output name"},
		{"kubeconfig -all without -dir", func() error { _, _, err := ParseKubeconfig([]string{"-all"}); return err }, "-dir"},
		{"kubeconfig -all with -seat", func() error { _, _, err := ParseKubeconfig([]string{"-all", "-dir", "d", "-seat", "kim"}); return err }, "do not go together"},
		{"force-unlock without id", func() error { _, _, err := ParseForceUnlock(nil); return err }, "lock ID"},
		{"check -parallelism 0", func() error { _, _, err := ParseCheck([]string{"-parallelism=0"}); return err }, "-parallelism"},
		{"destroy with argument", func() error { _, _, err := ParseDestroy([]string{"now"}); return err }, "takes no arguments"},
		{"version with argument", func() error { _, _, err := ParseVersion([]string{"x"}); return err }, "takes no arguments"},
		{"validate -out", func() error { _, _, err := ParseValidate([]string{"-out", "x"}); return err }, "not defined: -out"},
		{"init with argument", func() error { _, _, err := ParseInit([]string{"dir"}); return err }, "takes no arguments"},
		{"plan -replace with -destroy", func() error { _, _, err := ParsePlan([]string{"-destroy", "-replace", "exercise.web"}); return err }, "do not go together"},
		{"apply -replace with a saved plan", func() error { _, _, err := ParseApply([]string{"-replace", "exercise.web", "p.plan"}); return err }, "cannot change a saved plan"},
		// Durations and numbers out of range, named by their flag.
		{"apply -timeout negative", func() error { _, _, err := ParseApply([]string{"-timeout=-5s"}); return err }, "-timeout must be positive (or 0 for no limit), not -5s"},
		{"plan -timeout negative", func() error { _, _, err := ParsePlan([]string{"-timeout", "-1m"}); return err }, "-timeout must be positive"},
		{"destroy -timeout negative", func() error { _, _, err := ParseDestroy([]string{"-timeout=-5s"}); return err }, "-timeout must be positive"},
		{"apply -grace-period -7", func() error { _, _, err := ParseApply([]string{"-grace-period=-7"}); return err }, "-grace-period must be 0 or more seconds (or -1 for each pod's own), not -7"},
		{"destroy -grace-period -7", func() error { _, _, err := ParseDestroy([]string{"-grace-period", "-7"}); return err }, "-grace-period must be 0 or more"},
		{"plan -lock-timeout negative", func() error { _, _, err := ParsePlan([]string{"-lock-timeout=-3s"}); return err }, "-lock-timeout must be positive"},
		{"check -lock-timeout negative", func() error { _, _, err := ParseCheck([]string{"-lock-timeout=-3s"}); return err }, "-lock-timeout must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse()
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want one saying %q", err, tt.err)
			}
		})
	}
}

func TestParseState(t *testing.T) {
	a, _, err := ParseState([]string{"rm", "-dry-run", "exercise.web.Pod.a", "exercise.web.Pod.b"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Sub != "rm" || !a.DryRun || !reflect.DeepEqual(a.Addresses, []string{"exercise.web.Pod.a", "exercise.web.Pod.b"}) {
		t.Errorf("got %+v", a)
	}
}

func TestParseFmt(t *testing.T) {
	tests := []struct {
		args  []string
		write bool
		paths []string
	}{
		{nil, true, nil},
		{[]string{"-check"}, false, nil},
		{[]string{"a", "-diff", "b"}, true, []string{"a", "b"}},
		{[]string{"-write=false", "-"}, false, []string{"-"}},
	}
	for _, tt := range tests {
		a, _, err := ParseFmt(tt.args)
		if err != nil {
			t.Fatal(err)
		}
		if a.Write != tt.write || !reflect.DeepEqual(a.Paths, tt.paths) {
			t.Errorf("fmt %v: write %v, paths %q", tt.args, a.Write, a.Paths)
		}
	}
}

func TestWorkspaceDefault(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "evening")
	a, _, err := ParsePlan(nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Workspace != "evening" {
		t.Errorf("workspace %q, want the PODLAB_WORKSPACE default", a.Workspace)
	}
}

func TestUsage(t *testing.T) {
	_, fs, _ := ParsePlan(nil)
	u := Usage(fs)
	for _, want := range []string{
		"  -var value\n      Set a variable: -var NAME=VALUE (repeatable).",
		"  -parallelism int\n      How many objects to work on at once. (default 10)",
		"  -refresh\n      Compare with the live cluster (-refresh=false trusts the state). (default true)",
		"  -detailed-exitcode\n      Exit 0 with no changes, 1 on error, 2 when there are changes.\n",
	} {
		if !strings.Contains(u, want) {
			t.Errorf("usage has no %q:\n%s", want, u)
		}
	}
}
