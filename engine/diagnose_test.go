package engine

import (
	"testing"
	"time"

	"github.com/podlab/podlab/config"
	"github.com/podlab/podlab/plan"
)

// TestCreateTimeout: apply's -create-timeout wins, then the exercise's
// create_timeout (evaluation fills in the lab's where the exercise sets
// none), then the lab's, then five minutes.
func TestCreateTimeout(t *testing.T) {
	env := &config.Env{
		Lab: config.LabSettings{CreateTimeout: 2 * time.Minute},
		Instances: []*config.Instance{
			{Address: "exercise.slow", CreateTimeout: 10 * time.Minute},
			{Address: "exercise.unset"},
		},
	}
	tests := []struct {
		name     string
		flag     time.Duration
		instance string
		lab      time.Duration
		want     time.Duration
	}{
		{"the exercise's", 0, "exercise.slow", 2 * time.Minute, 10 * time.Minute},
		{"the flag over the exercise's", 20 * time.Second, "exercise.slow", 2 * time.Minute, 20 * time.Second},
		{"the lab's for an instance without one", 0, "exercise.unset", 2 * time.Minute, 2 * time.Minute},
		{"the lab's for an object of no instance", 0, "exercise.gone", 2 * time.Minute, 2 * time.Minute},
		{"five minutes when nothing says", 0, "exercise.gone", 0, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env.Lab.CreateTimeout = tt.lab
			r := &run{e: &Engine{Env: env}, opts: ApplyOptions{CreateTimeout: tt.flag}}
			if got := r.createTimeout(&plan.Change{Instance: tt.instance}); got != tt.want {
				t.Errorf("%v, want %v", got, tt.want)
			}
		})
	}
}
