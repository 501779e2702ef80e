package views

// The console's prompt and values: data, never colored.

// ConsolePrompt asks for the next expression (on a terminal only).
func (v *View) ConsolePrompt() { v.Data([]byte("> ")) }

// ConsoleValue shows an expression's value, rendered as Terraform's
// console renders it.
func (v *View) ConsoleValue(s string) { v.Data([]byte(s + "\n")) }

// ConsoleEnd ends the console's last prompt line (on a terminal only).
func (v *View) ConsoleEnd() { v.Data([]byte("\n")) }
