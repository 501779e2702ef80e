package views

import (
	"encoding/xml"
	"fmt"
	"os"

	"github.com/podlab/podlab/check"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes results as JUnit XML: one testsuite per exercise
// instance, one testcase per check, so CI systems and graders read them.
func WriteJUnit(path, env string, results []*check.Result) error {
	doc := junitSuites{Name: "podlab " + env}
	index := map[string]int{}
	var total float64
	for _, r := range results {
		i, ok := index[r.Instance]
		if !ok {
			i = len(doc.Suites)
			index[r.Instance] = i
			doc.Suites = append(doc.Suites, junitSuite{Name: r.Instance, Timestamp: r.At.Format("2006-01-02T15:04:05")})
		}
		s := &doc.Suites[i]
		c := junitCase{Name: r.Name, Classname: r.Instance, Time: seconds(r.Duration.Seconds())}
		if !r.Passed {
			c.Failure = &junitFailure{Message: "expected " + r.Expected, Type: r.Kind, Text: r.Message()}
			s.Failures++
			doc.Failures++
		}
		s.Cases = append(s.Cases, c)
		s.Tests++
		doc.Tests++
		total += r.Duration.Seconds()
	}
	for i := range doc.Suites {
		var t float64
		for _, r := range results {
			if r.Instance == doc.Suites[i].Name {
				t += r.Duration.Seconds()
			}
		}
		doc.Suites[i].Time = seconds(t)
	}
	doc.Time = seconds(total)
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	b = append([]byte(xml.Header), append(b, '\n')...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	return nil
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", s) }
