module github.com/vkchgk/chgkbot

go 1.26.8

require (
	github.com/matryer/is v1.4.1 // indirect
	pgregory.net/rapid v1.3.0 // indirect
)
