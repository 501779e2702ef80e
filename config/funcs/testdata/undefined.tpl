hello ${nobody}
