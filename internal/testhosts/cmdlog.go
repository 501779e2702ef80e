package testhosts

import (
	"fmt"
	"strings"
)

// quoteWord quotes one word exactly as the stand-ins' plh_quote does, so a
// FailNext prefix compares equal to the recorded line.
func quoteWord(w string) string {
	if w != "" && strings.IndexFunc(w, func(r rune) bool { return !plainRune(r) }) < 0 {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

func plainRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("_./:=@%+,-", r)
}

// quoteLine quotes words into one recorded-call line.
func quoteLine(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = quoteWord(w)
	}
	return strings.Join(q, " ")
}

// parseLog splits the stand-ins' log into calls, each an argv. It reads the
// quoting plh_quote writes: bare words, single-quoted words, and a quote
// inside a word closed, backslash-escaped and reopened. A newline inside
// quotes belongs to the word; outside, it ends the call.
func parseLog(s string) ([][]string, error) {
	var (
		calls  [][]string
		argv   []string
		word   strings.Builder
		inWord bool
	)
	endWord := func() {
		if inWord {
			argv = append(argv, word.String())
			word.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("testhosts: unterminated quote in command log at byte %d", i)
			}
			word.WriteString(s[i+1 : i+1+j])
			inWord = true
			i += j + 1
		case c == '\\' && i+1 < len(s):
			word.WriteByte(s[i+1])
			inWord = true
			i++
		case c == ' ' || c == '\t':
			endWord()
		case c == '\n':
			endWord()
			if argv != nil {
				calls = append(calls, argv)
				argv = nil
			}
		default:
			word.WriteByte(c)
			inWord = true
		}
	}
	endWord()
	if argv != nil {
		calls = append(calls, argv)
	}
	return calls, nil
}
