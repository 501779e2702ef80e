package arguments

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseTargetAndDestroy(t *testing.T) {
	t.Setenv("PODLAB_WORKSPACE", "")
	type parsed struct {
		target  []string
		replace []string
		destroy bool
		plan    string
	}
	tests := []struct {
		cmd  string
		args []string
		want parsed
		err  string
	}{
		{"plan", []string{"-target", `seat["kim"]`, "-target=exercise.web"}, parsed{target: []string{`seat["kim"]`, "exercise.web"}}, ""},
		{"plan", []string{"-target", `seat["kim"]`, "-replace", `seat["kim"].exercise.web`}, parsed{target: []string{`seat["kim"]`}, replace: []string{`seat["kim"].exercise.web`}}, ""},
		{"plan", []string{"-destroy", "-target", `seat["left"]`}, parsed{target: []string{`seat["left"]`}, destroy: true}, ""},
		{"apply", []string{"--target", `seat["new"]`, "-auto-approve"}, parsed{target: []string{`seat["new"]`}}, ""},
		{"apply", []string{"-destroy"}, parsed{destroy: true}, ""},
		{"apply", []string{"-destroy", "-target", `seat["left"]`}, parsed{destroy: true, target: []string{`seat["left"]`}}, ""},
		{"apply", []string{"p.plan"}, parsed{plan: "p.plan"}, ""},
		{"apply", []string{"p.plan", "-target", "exercise.web"}, parsed{}, "-target cannot change a saved plan"},
		{"apply", []string{"p.plan", "-destroy"}, parsed{}, "a plan made with podlab plan -destroy -out FILE destroys when applied"},
		{"apply", []string{"-destroy", "-replace", "exercise.web"}, parsed{}, "-replace and -destroy do not go together"},
		{"plan", []string{"-refresh-only", "-destroy"}, parsed{}, "-refresh-only and -destroy do not go together"},
		{"plan", []string{"-refresh-only", "-replace", "exercise.web"}, parsed{}, "-refresh-only and -replace do not go together"},
		{"plan", []string{"-refresh-only", "-refresh=false"}, parsed{}, "-refresh-only and -refresh=false do not go together"},
		{"plan", []string{"-refresh-only", "-target", "exercise.web"}, parsed{target: []string{"exercise.web"}}, ""},
		{"apply", []string{"-refresh-only", "-auto-approve"}, parsed{}, ""},
		{"apply", []string{"-refresh-only", "-destroy"}, parsed{}, "-refresh-only and -destroy do not go together"},
		{"apply", []string{"p.plan", "-refresh-only"}, parsed{}, "-refresh-only cannot change a saved plan"},
		{"destroy", []string{"-target", `seat["left"]`}, parsed{target: []string{`seat["left"]`}}, ""},
		{"destroy", []string{"-target", `seat["left"]`, "-expired"}, parsed{}, "-target and -expired do not go together"},
		{"destroy", []string{"-target"}, parsed{}, "flag needs an argument: -target"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			var got parsed
			var err error
			switch tt.cmd {
			case "plan":
				var a *Plan
				a, _, err = ParsePlan(tt.args)
				got = parsed{a.Target, a.Replace, a.Destroy, ""}
			case "apply":
				var a *Apply
				a, _, err = ParseApply(tt.args)
				got = parsed{a.Target, a.Replace, a.Destroy, a.PlanFile}
			case "destroy":
				var a *Destroy
				a, _, err = ParseDestroy(tt.args)
				got = parsed{target: a.Target}
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseWorkspace(t *testing.T) {
	tests := []struct {
		args            []string
		sub, name       string
		force, orCreate bool
		err             string
	}{
		{args: []string{"list"}, sub: "list"},
		{args: []string{"show"}, sub: "show"},
		{args: []string{"new", "evening"}, sub: "new", name: "evening"},
		{args: []string{"select", "-or-create", "evening"}, sub: "select", name: "evening", orCreate: true},
		{args: []string{"delete", "evening", "-force"}, sub: "delete", name: "evening", force: true},
		{args: nil, err: "needs a subcommand"},
		{args: []string{"new"}, err: "takes one workspace NAME"},
		{args: []string{"new", "a", "b"}, err: "takes one workspace NAME"},
		{args: []string{"list", "x"}, err: "takes no arguments"},
		{args: []string{"switch", "x"}, err: `not "switch"`},
		{args: []string{"new", "x", "-force"}, err: "-force goes with workspace delete only"},
		{args: []string{"delete", "x", "-or-create"}, err: "-or-create goes with workspace select only"},
	}
	for _, tt := range tests {
		a, _, err := ParseWorkspace(tt.args)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || a.Sub != tt.sub || a.Name != tt.name || a.Force != tt.force || a.OrCreate != tt.orCreate {
			t.Errorf("%q: %+v, %v", tt.args, a, err)
		}
	}
}
