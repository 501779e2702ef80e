package funcs

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	_ "github.com/podlab/podlab/internal/golden" // -update
)

// eval evaluates an HCL expression with the lab functions of dir.
func eval(t *testing.T, dir string, origins *Origins, src string) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", src, diags.Error())
	}
	return expr.Value(&hcl.EvalContext{
		Functions: Functions(dir, origins),
		Variables: map[string]cty.Value{
			"unknown": cty.UnknownVal(cty.String),
			"obj":     cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("x")}),
		},
	})
}

type funcCase struct {
	expr string
	want cty.Value // compared with RawEquals
	err  string    // substring of the error instead
}

func runCases(t *testing.T, dir string, tests []funcCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, diags := eval(t, dir, &Origins{}, tt.expr)
			if tt.err != "" {
				if !diags.HasErrors() {
					t.Fatalf("= %#v, want an error saying %q", got, tt.err)
				}
				if !strings.Contains(diags.Error(), tt.err) {
					t.Fatalf("error %q does not say %q", diags.Error(), tt.err)
				}
				if doubleStop.MatchString(diags.Error()) {
					t.Errorf("error %q ends a sentence twice", diags.Error())
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if !got.RawEquals(tt.want) {
				t.Errorf("= %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

var doubleStop = regexp.MustCompile(`\.\.($|\s)`)

func strs(s ...string) cty.Value {
	vals := make([]cty.Value, len(s))
	for i, v := range s {
		vals[i] = cty.StringVal(v)
	}
	return cty.ListVal(vals)
}

func TestStringFunctions(t *testing.T) {
	runCases(t, "testdata", []funcCase{
		{`format("%s-%03d", "seat", 7)`, cty.StringVal("seat-007"), ""},
		{`formatlist("ns-%s", ["a", "b"])`, strs("ns-a", "ns-b"), ""},
		{`join(",", ["a", "b"])`, cty.StringVal("a,b"), ""},
		{`split(",", "a,b")`, strs("a", "b"), ""},
		{`lower("Kim")`, cty.StringVal("kim"), ""},
		{`upper("kim")`, cty.StringVal("KIM"), ""},
		{`title("pod basics")`, cty.StringVal("Pod Basics"), ""},
		{`replace("a-b-c", "-", "_")`, cty.StringVal("a_b_c"), ""},
		// cty's replace is plain text: unlike Terraform's, /re/ is no regex.
		{`replace("pod-123", "/[0-9]+/", "N")`, cty.StringVal("pod-123"), ""},
		{`regex("^([a-z]+)-([0-9]+)$", "seat-12")`, cty.TupleVal([]cty.Value{cty.StringVal("seat"), cty.StringVal("12")}), ""},
		{`regexall("[0-9]", "a1b2")`, cty.ListVal([]cty.Value{cty.StringVal("1"), cty.StringVal("2")}), ""},
		{`regex("(", "x")`, cty.NilVal, "invalid regexp pattern"},
		{`substr("kubernetes", 0, 4)`, cty.StringVal("kube"), ""},
		{`strlen("김철수")`, cty.NumberIntVal(3), ""},
		{`strrev("abc")`, cty.StringVal("cba"), ""},
		{`trim("--a--", "-")`, cty.StringVal("a"), ""},
		{`trimprefix("v1.34", "v")`, cty.StringVal("1.34"), ""},
		{`trimsuffix("a.yaml", ".yaml")`, cty.StringVal("a"), ""},
		{`trimspace("  a \n")`, cty.StringVal("a"), ""},
		{`chomp("a\n")`, cty.StringVal("a"), ""},
		{`indent(2, "a\nb")`, cty.StringVal("a\n  b"), ""},
		{`"${upper("a")}-${obj.a}"`, cty.StringVal("A-x"), ""},
		{`upper(1)`, cty.StringVal("1"), ""},
		{`upper([])`, cty.NilVal, "string required"},
	})
}

func TestCollectionFunctions(t *testing.T) {
	runCases(t, "testdata", []funcCase{
		{`length(["a", "b"])`, cty.NumberIntVal(2), ""},
		{`length(tomap({ a = 1 }))`, cty.NumberIntVal(1), ""},
		// cty's length takes no objects, unlike Terraform's.
		{`length({ a = 1 })`, cty.NilVal, "collection must be a list, a map or a tuple"},
		{`contains(["gke", "onprem"], "gke")`, cty.True, ""},
		{`contains(["gke", "onprem"], "aws")`, cty.False, ""},
		{`lookup({ a = "1" }, "a", "d")`, cty.StringVal("1"), ""},
		{`lookup({ a = "1" }, "b", "d")`, cty.StringVal("d"), ""},
		{`merge({ a = 1 }, { b = 2 }, { a = 3 })`, cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(3), "b": cty.NumberIntVal(2)}), ""},
		{`concat(["a"], ["b", "c"])`, cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")}), ""},
		{`flatten([["a"], ["b", ["c"]]])`, cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b"), cty.StringVal("c")}), ""},
		{`distinct(["a", "b", "a"])`, strs("a", "b"), ""},
		{`compact(["a", "", "b"])`, strs("a", "b"), ""},
		// cty's coalesce skips nulls only; Terraform's skips "" too.
		{`coalesce(null, "b")`, cty.StringVal("b"), ""},
		{`coalesce("", "b")`, cty.StringVal(""), ""},
		{`coalescelist([], ["b"])`, cty.TupleVal([]cty.Value{cty.StringVal("b")}), ""},
		{`element(["a", "b"], 3)`, cty.StringVal("b"), ""},
		// cty's index is element access; Terraform's finds a position.
		{`index(["a", "b"], 1)`, cty.StringVal("b"), ""},
		{`keys({ b = 1, a = 2 })`, cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), ""},
		{`keys(tomap({ b = 1, a = 2 }))`, strs("a", "b"), ""},
		{`values({ b = 1, a = 2 })`, cty.TupleVal([]cty.Value{cty.NumberIntVal(2), cty.NumberIntVal(1)}), ""},
		{`zipmap(["a", "b"], [1, 2])`, cty.ObjectVal(map[string]cty.Value{"a": cty.NumberIntVal(1), "b": cty.NumberIntVal(2)}), ""},
		{`range(3)`, cty.ListVal([]cty.Value{cty.NumberIntVal(0), cty.NumberIntVal(1), cty.NumberIntVal(2)}), ""},
		{`reverse(["a", "b"])`, cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("a")}), ""},
		{`slice(["a", "b", "c"], 1, 3)`, cty.TupleVal([]cty.Value{cty.StringVal("b"), cty.StringVal("c")}), ""},
		{`sort(["b", "a"])`, strs("a", "b"), ""},
		{`chunklist(["a", "b", "c"], 2)`, cty.ListVal([]cty.Value{strs("a", "b"), strs("c")}), ""},
		{`setunion(["a"], ["b"])`, cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), ""},
		{`setintersection(["a", "b"], ["b"])`, cty.SetVal([]cty.Value{cty.StringVal("b")}), ""},
		{`setsubtract(["a", "b"], ["b"])`, cty.SetVal([]cty.Value{cty.StringVal("a")}), ""},
		{`length(setproduct(["a", "b"], ["x", "y", "z"]))`, cty.NumberIntVal(6), ""},
		{`element([], 0)`, cty.NilVal, "cannot use element function with an empty list"},
		{`lookup({ a = 1 }, "a")`, cty.NilVal, `Function "lookup" expects 3 argument(s)`},
		{`lookup("a", "b", "c")`, cty.NilVal, "Invalid function argument"},
	})
}

func TestNumericFunctions(t *testing.T) {
	runCases(t, "testdata", []funcCase{
		{`abs(-3)`, cty.NumberIntVal(3), ""},
		{`ceil(1.2)`, cty.NumberIntVal(2), ""},
		{`floor(1.8)`, cty.NumberIntVal(1), ""},
		{`max(1, 5, 3)`, cty.NumberIntVal(5), ""},
		{`min(1, 5, 3)`, cty.NumberIntVal(1), ""},
		{`pow(2, 10)`, cty.NumberIntVal(1024), ""},
		{`signum(-7)`, cty.NumberIntVal(-1), ""},
		{`parseint("ff", 16)`, cty.NumberIntVal(255), ""},
		{`log(8, 2)`, cty.NumberIntVal(3), ""},
		{`parseint("zz", 10)`, cty.NilVal, "cannot parse"},
		{`max()`, cty.NilVal, "must pass at least one number"},
	})
}

func TestEncodingFunctions(t *testing.T) {
	runCases(t, "testdata", []funcCase{
		{`base64encode("podlab")`, cty.StringVal("cG9kbGFi"), ""},
		{`base64decode("cG9kbGFi")`, cty.StringVal("podlab"), ""},
		{`base64decode(base64encode("김철수"))`, cty.StringVal("김철수"), ""},
		{`base64decode("not base64!")`, cty.NilVal, "not valid base64"},
		{`base64decode("//4=")`, cty.NilVal, "not UTF-8"},
		{`jsonencode({ a = [1, "b"] })`, cty.StringVal(`{"a":[1,"b"]}`), ""},
		{`jsondecode("{\"a\": [1, true]}")`, cty.ObjectVal(map[string]cty.Value{"a": cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.True})}), ""},
		{`jsondecode("{")`, cty.NilVal, "Call to function \"jsondecode\" failed"},
		{`yamlencode({ a = ["b"] })`, cty.StringVal("\"a\":\n- \"b\"\n"), ""},
		{`yamldecode("a: [1, b]\nc: {d: true}")`, cty.ObjectVal(map[string]cty.Value{
			"a": cty.TupleVal([]cty.Value{cty.NumberIntVal(1), cty.StringVal("b")}),
			"c": cty.ObjectVal(map[string]cty.Value{"d": cty.True}),
		}), ""},
		{`yamldecode(yamlencode({ x = "y" })).x`, cty.StringVal("y"), ""},
		{`yamldecode("a: [")`, cty.NilVal, "Call to function \"yamldecode\" failed"},
		{`yamldecode("a: 1\n---\nb: 2\n")`, cty.NilVal, "Call to function \"yamldecode\" failed"},
		{`csvdecode("a,b\n1,2\n")`, cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")})}), ""},
	})
}

func TestTypeConversionFunctions(t *testing.T) {
	runCases(t, "testdata", []funcCase{
		{`tostring(1)`, cty.StringVal("1"), ""},
		{`tonumber("42")`, cty.NumberIntVal(42), ""},
		{`tobool("true")`, cty.True, ""},
		{`tolist(["a", "b"])`, strs("a", "b"), ""},
		{`toset(["b", "a", "a"])`, cty.SetVal([]cty.Value{cty.StringVal("a"), cty.StringVal("b")}), ""},
		{`tomap({ a = "1" })`, cty.MapVal(map[string]cty.Value{"a": cty.StringVal("1")}), ""},
		{`tonumber("forty")`, cty.NilVal, "Invalid function argument"},
		{`tobool("yes")`, cty.NilVal, "Invalid function argument"},
		{`tostring([])`, cty.NilVal, "Invalid function argument"},
	})
}

func TestTryCan(t *testing.T) {
	runCases(t, "testdata", []funcCase{
		{`try(obj.nope, "fallback")`, cty.StringVal("fallback"), ""},
		{`try(obj.a, "fallback")`, cty.StringVal("x"), ""},
		{`try(tonumber("x"), tonumber("2"))`, cty.NumberIntVal(2), ""},
		{`can(obj.nope)`, cty.False, ""},
		{`can(regex("^[a-z]+$", "pods"))`, cty.True, ""},
		{`can(file("nope.txt"))`, cty.False, ""},
		{`try(obj.nope, obj.nada)`, cty.NilVal, "no expression succeeded"},
		{`try()`, cty.NilVal, "at least one argument"},
	})
	// An unknown value makes try unknown: which argument succeeds is not
	// known yet.
	got, diags := eval(t, "testdata", nil, `try(unknown, "x")`)
	if diags.HasErrors() || got.IsKnown() {
		t.Errorf("try(unknown, ...) = %#v %s", got, diags.Error())
	}
}

func TestFileFunctions(t *testing.T) {
	abs, err := filepath.Abs("testdata/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	if err := os.WriteFile(filepath.Join(home, "note.txt"), []byte("at home"), 0o644); err != nil {
		t.Fatal(err)
	}
	runCases(t, "testdata", []funcCase{
		{`file("hello.txt")`, cty.StringVal("hello\n"), ""},
		{`file("./sub/../hello.txt")`, cty.StringVal("hello\n"), ""},
		{`file("sub/note.txt")`, cty.StringVal("in sub\n"), ""},
		{`file("` + abs + `")`, cty.StringVal("hello\n"), ""},
		{`file("~/note.txt")`, cty.NilVal, "~/note.txt is outside the lab directory testdata"},
		{`file("nope.txt")`, cty.NilVal, "no file nope.txt (paths are relative to the lab directory testdata)"},
		{`file("binary.dat")`, cty.NilVal, "binary.dat is not UTF-8 text"},
		{`file("sub")`, cty.NilVal, "is a directory"},
		{`fileexists("hello.txt")`, cty.True, ""},
		{`fileexists("sub/note.txt")`, cty.True, ""},
		{`fileexists("nope.txt")`, cty.False, ""},
		{`fileexists("~/note.txt")`, cty.NilVal, "is outside the lab directory"},
		{`fileexists("sub")`, cty.NilVal, "sub is not a regular file"},
		{`templatefile("funcs.tpl", { name = "pods", items = [1, 2] })`, cty.StringVal("PODS-2"), ""},
		{`templatefile("cm.yaml.tpl", { name = "cm", data = { a = "1", b = "2" } })`,
			cty.StringVal("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: \"1\"\n  b: \"2\"\n"), ""},
		// A template that is one interpolation keeps the value's type.
		{`templatefile("list.tpl", { items = ["a"] })`, cty.TupleVal([]cty.Value{cty.StringVal("a")}), ""},
		{`templatefile("undefined.tpl", {})`, cty.NilVal, `the template uses "nobody", which vars does not define`},
		{`templatefile("broken.tpl", {})`, cty.NilVal, "broken.tpl:2: Missing expression: Expected the start of an expression, but found the end of the file."},
		{`templatefile("funcs.tpl", "vars")`, cty.NilVal, "vars must be an object or a map"},
		{`templatefile("funcs.tpl", { "not valid" = 1, name = "x", items = [] })`, cty.NilVal, `"not valid" is not a valid variable name`},
		{`templatefile("recursive.tpl", {})`, cty.NilVal, `There is no function named "templatefile"`},
		{`templatefile("nope.tpl", {})`, cty.NilVal, "no file nope.tpl"},
	})
}

// TestFileOutsideLab: the file functions refuse paths outside the lab
// directory (absolute, "..", ~, symlinks out) without reading them, unless
// lab.allowed_paths names their directory.
func TestFileOutsideLab(t *testing.T) {
	root := t.TempDir()
	lab, shared := filepath.Join(root, "lab"), filepath.Join(root, "shared")
	for _, d := range []string{lab, shared} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := "SECRET first line\n"
	if err := os.WriteFile(filepath.Join(shared, "secret.txt"), []byte(secret), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lab, "ok.txt"), []byte("ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(shared, "secret.txt"), filepath.Join(lab, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(shared, filepath.Join(lab, "linkdir")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", shared)
	refused := []string{
		`file("/etc/passwd")`, `file("../shared/secret.txt")`, `file("` + filepath.Join(shared, "secret.txt") + `")`,
		`file("~/secret.txt")`, `file("link.txt")`, `file("linkdir/secret.txt")`, `file("./../lab/../shared/secret.txt")`,
		`fileexists("/etc/passwd")`, `fileexists("../shared/secret.txt")`, `fileexists("link.txt")`,
		`templatefile("../shared/secret.txt", {})`, `templatefile("link.txt", {})`,
	}
	for _, src := range refused {
		t.Run(src, func(t *testing.T) {
			got, diags := eval(t, lab, &Origins{}, src)
			if !diags.HasErrors() {
				t.Fatalf("= %#v, want it refused", got)
			}
			msg := diags.Error()
			if !strings.Contains(msg, "outside the lab directory") || !strings.Contains(msg, "allowed_paths") {
				t.Errorf("error %q does not say the path is outside the lab and what to do", msg)
			}
			if strings.Contains(msg, "SECRET") || strings.Contains(msg, "root:") {
				t.Errorf("error %q shows the refused file's contents", msg)
			}
		})
	}
	// Inside the lab, and in an allowed directory.
	allow := func(src string, allowed []string) (cty.Value, hcl.Diagnostics) {
		expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		return expr.Value(&hcl.EvalContext{Functions: FunctionsIn(Paths{Lab: lab, Allowed: allowed}, nil)})
	}
	if v, diags := allow(`file("ok.txt")`, nil); diags.HasErrors() || v.AsString() != "ok" {
		t.Errorf("file(\"ok.txt\") = %#v %s", v, diags.Error())
	}
	for _, src := range []string{`file("../shared/secret.txt")`, `file("link.txt")`, `file("~/secret.txt")`, `file("linkdir/secret.txt")`} {
		if v, diags := allow(src, []string{shared}); diags.HasErrors() || v.AsString() != secret {
			t.Errorf("%s with %s allowed = %#v %s", src, shared, v, diags.Error())
		}
	}
}

// TestFileRelativeToLab: paths are relative to the lab directory given to
// Functions, never to the process's working directory.
func TestFileRelativeToLab(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("from the lab"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, diags := eval(t, dir, nil, `file("hello.txt")`)
	if diags.HasErrors() || got.AsString() != "from the lab" {
		t.Errorf("file(\"hello.txt\") in %s = %#v %s", dir, got, diags.Error())
	}
}

func TestOrigins(t *testing.T) {
	o := &Origins{}
	dir, _ := filepath.Abs("testdata")
	if _, diags := eval(t, dir, o, `[file("hello.txt"), templatefile("cm.yaml.tpl", { name = "a", data = { x = "1" } }), templatefile("funcs.tpl", { name = "a", items = [] })]`); diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if p, ok := o.Lookup("hello\n"); !ok || p != filepath.Join(dir, "hello.txt") {
		t.Errorf("Lookup(file text) = %q, %v", p, ok)
	}
	// A rendering with the template's own line count keeps its lines, so
	// errors can point into the template.
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\n"
	if strings.Count(cm, "\n") == strings.Count(mustRead(t, "testdata/cm.yaml.tpl"), "\n") {
		t.Fatal("the test template's rendering should change its line count")
	}
	if _, ok := o.Lookup(cm); ok {
		t.Errorf("a rendering with other lines than its template was recorded")
	}
	if p, ok := o.Lookup("A-0"); !ok || p != filepath.Join(dir, "funcs.tpl") {
		t.Errorf("Lookup(one-line rendering) = %q, %v", p, ok)
	}
	if _, ok := o.Lookup("never read"); ok {
		t.Error("Lookup found text no file held")
	}
	var read []string
	for p := range o.Read() {
		read = append(read, filepath.Base(p))
	}
	sort.Strings(read)
	if strings.Join(read, " ") != "cm.yaml.tpl funcs.tpl hello.txt" {
		t.Errorf("Read() = %v", read)
	}
	// A nil Origins is allowed.
	var none *Origins
	none.Record("a", "b")
	if _, ok := none.Lookup("a"); ok || none.Read() != nil {
		t.Error("a nil Origins remembered something")
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFunctionTable: the functions the spec names are there.
func TestFunctionTable(t *testing.T) {
	fs := Functions(".", nil)
	for _, name := range []string{"file", "fileexists", "templatefile", "yamldecode", "yamlencode", "jsonencode", "jsondecode",
		"base64encode", "base64decode", "format", "join", "lookup", "merge", "try", "can", "toset", "tolist", "tomap"} {
		if _, ok := fs[name]; !ok {
			t.Errorf("no function %s", name)
		}
	}
}
