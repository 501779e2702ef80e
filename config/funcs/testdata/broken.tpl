hello ${
