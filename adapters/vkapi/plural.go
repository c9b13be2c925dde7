package vkapi

import (
	"fmt"
	"time"
)

// Plural picks the Russian form of a count: Plural(1, "секунда", "секунды",
// "секунд") is "секунда"; 2–4 take the second form, 5–20 the third, and so
// on by the last two digits (11–14 always the third).
func Plural(n int, one, few, many string) string {
	n = abs(n)
	switch d10, d100 := n%10, n%100; {
	case d100 >= 11 && d100 <= 14:
		return many
	case d10 == 1:
		return one
	case d10 >= 2 && d10 <= 4:
		return few
	}
	return many
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// Count writes n with its word: Count(5, "секунда", "секунды", "секунд")
// is "5 секунд".
func Count(n int, one, few, many string) string {
	return fmt.Sprintf("%d %s", n, Plural(n, one, few, many))
}

// Duration writes d in Russian, in the nominative: "30 секунд", "1 минута",
// "2 минуты 5 секунд", "1 час 3 минуты". Sub-second lengths (tests use
// them) round up to a second: a member never reads "0 секунд".
func Duration(d time.Duration) string { return duration(d, "минута", "секунда") }

// DurationAcc writes d in the accusative, for "через …" and "на …":
// "через 1 секунду", "на неё 1 минуту 21 секунду". Only the feminine
// singular differs from Duration.
func DurationAcc(d time.Duration) string { return duration(d, "минуту", "секунду") }

func duration(d time.Duration, minute, second string) string {
	secs := int((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	h, m, s := secs/3600, secs/60%60, secs%60
	out := ""
	add := func(part string) {
		if out != "" {
			out += " "
		}
		out += part
	}
	if h > 0 {
		add(Count(h, "час", "часа", "часов"))
	}
	if m > 0 {
		add(Count(m, minute, "минуты", "минут"))
	}
	if s > 0 {
		add(Count(s, second, "секунды", "секунд"))
	}
	return out
}
