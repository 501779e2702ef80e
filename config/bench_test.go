package config

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
)

// localsLab is a lab of n locals, each referring to the one before: the
// shape of the pathological "million locals" file.
func localsLab(n int) files {
	var b strings.Builder
	b.WriteString(localCluster + "exercise \"x\" {\n  manifests = []\n}\nlocals {\n  v0 = 0\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  v%d = local.v%d + 1\n", i, i-1)
	}
	b.WriteString("}\n")
	return files{"lab.podlab.hcl": b.String()}
}

// BenchmarkLoadLocals loads and evaluates labs of 10k and 100k locals: the
// time per local (ns/local) stays the same, that is, loading is linear.
//
//	go test -run='^$' -bench=LoadLocals ./config/
func BenchmarkLoadLocals(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) {
			dir := writeLab(b, localsLab(n))
			b.ResetTimer()
			for b.Loop() {
				m, diags := Load(dir)
				if diags.HasErrors() {
					b.Fatal(describe(diags))
				}
				if _, diags := Evaluate(m, EvalOptions{}); diags.HasErrors() {
					b.Fatal(describe(diags))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/local")
		})
	}
}

// BenchmarkLoadRandomBytes loads 200 KB of random bytes (a binary file
// saved as a lab): thousands of syntax errors, which must stay cheap.
func BenchmarkLoadRandomBytes(b *testing.B) {
	src := make([]byte, 200<<10)
	rand.New(rand.NewSource(12)).Read(src)
	dir, err := filepath.Abs(filepath.Join("..", "examples", "pod-basics"))
	if err != nil {
		b.Fatal(err)
	}
	name := filepath.Join(dir, "random.podlab.hcl")
	for b.Loop() {
		if _, diags := LoadSources(dir, []string{name}, map[string][]byte{name: src}); !diags.HasErrors() {
			b.Fatal("random bytes loaded without errors")
		}
	}
}
