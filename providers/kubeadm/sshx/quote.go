package sshx

import "al.essio.dev/pkg/shellescape"

// Command joins argv into shell text in which every word stays one word,
// whatever it contains: Command("cat", "--", "/tmp/a b") is
// "cat -- '/tmp/a b'".
func Command(argv ...string) string { return shellescape.QuoteCommand(argv) }

// Quote quotes one word for the shell.
func Quote(word string) string { return shellescape.Quote(word) }
