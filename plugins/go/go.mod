module example.invalid/wasmi-plugins/go-plugin

go 1.24
