package coreutils

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func init() { register(date, "date") }

var errBadDate = errors.New("invalid date")

var dateSpec = optSpec{
	short: "ud:r:I:Rs:",
	long: map[string]string{
		"utc": "u", "universal": "u", "date=": "d", "reference=": "r", "iso-8601": "I",
		"rfc-email": "R", "rfc-3339=": "rfc3339", "set=": "s",
	},
}

// date prints the time (now, -d DATE or -r FILE's) by +FORMAT (strftime's
// conversions), -I, -R or --rfc-3339. The sandbox's clock is UTC: TZ is
// not read. It cannot set the clock.
func date(c *call) int {
	var args []string
	format := "%a %b %e %H:%M:%S %Z %Y"
	hasFormat := false
	for _, a := range c.Args[1:] {
		if strings.HasPrefix(a, "+") && !hasFormat {
			format, hasFormat = a[1:], true
			continue
		}
		// -I takes its argument only when attached (-Iseconds).
		if strings.HasPrefix(a, "-I") || strings.HasPrefix(a, "--iso-8601") {
			if _, v, ok := strings.Cut(a, "="); ok {
				a = "-I" + v
			} else if a == "--iso-8601" {
				a = "-Idate"
			} else if a == "-I" {
				a = "-Idate"
			}
		}
		args = append(args, a)
	}
	o, code := c.parseArgs(dateSpec, args)
	if o == nil {
		return code
	}
	if len(o.operands) > 1 {
		return c.usage(1, "extra operand %s", quote(o.operands[1]))
	}
	if len(o.operands) == 1 { // date MMDDhhmm: setting the clock
		if _, err := parseDate(o.operands[0], c.now()); err != nil {
			c.errorf("invalid date %s", quote(o.operands[0]))
		} else {
			c.errorf("cannot set date: %s", errText(errOf(eperm)))
		}
		return c.finish()
	}
	if _, ok := o.val("s"); ok {
		c.errorf("cannot set date: %s", errText(errOf(eperm)))
		return c.finish()
	}
	t := c.now()
	if d, ok := o.val("d"); ok {
		var err error
		if t, err = parseDate(d, c.now()); err != nil {
			c.errorf("invalid date %s", quote(d))
			return c.finish()
		}
	}
	if r, ok := o.val("r"); ok {
		st, err := c.stat(r)
		if err != nil {
			c.errorf("%s: %s", r, errText(err))
			return c.finish()
		}
		t = time.Unix(0, st.Mtim)
	}
	t = t.UTC()
	if iso, ok := o.val("I"); ok {
		formats := map[string]string{
			"date": "%Y-%m-%d", "hours": "%Y-%m-%dT%H%:z", "minutes": "%Y-%m-%dT%H:%M%:z",
			"seconds": "%Y-%m-%dT%H:%M:%S%:z", "ns": "%Y-%m-%dT%H:%M:%S,%N%:z",
		}
		if format, ok = formats[iso]; !ok {
			return c.usage(1, "invalid argument %s for '--iso-8601'", quote(iso))
		}
	}
	if r, ok := o.val("rfc3339"); ok {
		formats := map[string]string{"date": "%Y-%m-%d", "seconds": "%Y-%m-%d %H:%M:%S%:z", "ns": "%Y-%m-%d %H:%M:%S.%N%:z"}
		if format, ok = formats[r]; !ok {
			return c.usage(1, "invalid argument %s for '--rfc-3339'", quote(r))
		}
	}
	if o.has("R") {
		format = "%a, %d %b %Y %H:%M:%S %z"
	}
	c.out.WriteString(strftime(format, t) + "\n")
	return c.finish()
}

// strftime formats t by the C conversions GNU date knows, with the '-'
// (no padding), '_' (spaces) and '0' flags.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		pad := byte(0)
		if strings.IndexByte("-_0^", format[i]) >= 0 && i+1 < len(format) {
			pad = format[i]
			i++
		}
		if format[i] == ':' && i+1 < len(format) && format[i+1] == 'z' {
			i++
			b.WriteString(t.Format("-07:00"))
			continue
		}
		b.WriteString(conversion(format[i], pad, t))
	}
	return b.String()
}

// conversion renders one strftime conversion.
func conversion(ch, pad byte, t time.Time) string {
	num := func(v, width int, fill byte) string {
		switch pad {
		case '-':
			return strconv.Itoa(v)
		case '_':
			fill = ' '
		case '0':
			fill = '0'
		}
		s := strconv.Itoa(v)
		for len(s) < width {
			s = string(fill) + s
		}
		return s
	}
	hour12 := t.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	year, week := t.ISOWeek()
	switch ch {
	case 'Y':
		return num(t.Year(), 4, '0')
	case 'C':
		return num(t.Year()/100, 2, '0')
	case 'y':
		return num(t.Year()%100, 2, '0')
	case 'G':
		return num(year, 4, '0')
	case 'g':
		return num(year%100, 2, '0')
	case 'V':
		return num(week, 2, '0')
	case 'm':
		return num(int(t.Month()), 2, '0')
	case 'd':
		return num(t.Day(), 2, '0')
	case 'e':
		return num(t.Day(), 2, ' ')
	case 'H':
		return num(t.Hour(), 2, '0')
	case 'k':
		return num(t.Hour(), 2, ' ')
	case 'I':
		return num(hour12, 2, '0')
	case 'l':
		return num(hour12, 2, ' ')
	case 'M':
		return num(t.Minute(), 2, '0')
	case 'S':
		return num(t.Second(), 2, '0')
	case 'N':
		return fmt.Sprintf("%09d", t.Nanosecond())
	case 'j':
		return num(t.YearDay(), 3, '0')
	case 'u':
		return strconv.Itoa((int(t.Weekday())+6)%7 + 1)
	case 'w':
		return strconv.Itoa(int(t.Weekday()))
	case 'U':
		return num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
	case 'W':
		return num((t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
	case 's':
		return strconv.FormatInt(t.Unix(), 10)
	case 'a':
		return t.Format("Mon")
	case 'A':
		return t.Format("Monday")
	case 'b', 'h':
		return t.Format("Jan")
	case 'B':
		return t.Format("January")
	case 'p':
		return t.Format("PM")
	case 'P':
		return strings.ToLower(t.Format("PM"))
	case 'Z':
		return t.Format("MST")
	case 'z':
		return t.Format("-0700")
	case 'F':
		return strftime("%Y-%m-%d", t)
	case 'T':
		return strftime("%H:%M:%S", t)
	case 'R':
		return strftime("%H:%M", t)
	case 'D', 'x':
		return strftime("%m/%d/%y", t)
	case 'X':
		return strftime("%H:%M:%S", t)
	case 'r':
		return strftime("%I:%M:%S %p", t)
	case 'c':
		return strftime("%a %b %e %H:%M:%S %Y", t)
	case 'n':
		return "\n"
	case 't':
		return "\t"
	case '%':
		return "%"
	}
	return "%" + string(ch)
}

// dateLayouts are the absolute forms -d accepts, besides @SECONDS.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05",
	"2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02", "2006/01/02", "20060102",
	time.RFC1123Z, time.RFC1123, time.UnixDate, time.ANSIC, "Jan 2 2006", "2 Jan 2006",
	"January 2 2006", "Jan 2 2006 15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 MST",
}

// parseDate reads a date as date -d does: @SECONDS, now, today,
// yesterday, tomorrow, the forms of dateLayouts, each optionally followed
// by relative items ("+1 day", "2 hours ago").
func parseDate(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "@") {
		f, err := strconv.ParseFloat(s[1:], 64)
		if err != nil {
			return time.Time{}, errBadDate
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	base, rest := now.UTC(), s
	for _, w := range []struct {
		word string
		days int
	}{{"now", 0}, {"today", 0}, {"yesterday", -1}, {"tomorrow", 1}} {
		if strings.HasPrefix(strings.ToLower(rest), w.word) {
			base, rest = base.AddDate(0, 0, w.days), rest[len(w.word):]
			return addRelative(base, rest)
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.ParseInLocation(layout, strings.TrimSuffix(strings.TrimSuffix(s, " UTC"), "Z"), time.UTC); err == nil {
			return t, nil
		}
	}
	// A date then relative items.
	fields := strings.Fields(s)
	for n := len(fields) - 1; n > 0; n-- {
		head := strings.Join(fields[:n], " ")
		for _, layout := range dateLayouts {
			if t, err := time.ParseInLocation(layout, head, time.UTC); err == nil {
				return addRelative(t, strings.Join(fields[n:], " "))
			}
		}
	}
	return addRelative(base, rest)
}

// addRelative applies relative items: "[+-]N unit[s] [ago]", "next unit",
// "last unit".
func addRelative(t time.Time, s string) (time.Time, error) {
	fields := strings.Fields(strings.ToLower(s))
	for len(fields) > 0 {
		n := 1
		if v, err := strconv.Atoi(fields[0]); err == nil {
			n, fields = v, fields[1:]
		} else if fields[0] == "next" || fields[0] == "last" {
			if fields[0] == "last" {
				n = -1
			}
			fields = fields[1:]
		}
		if len(fields) == 0 {
			return time.Time{}, errBadDate
		}
		unit := strings.TrimSuffix(fields[0], "s")
		fields = fields[1:]
		if len(fields) > 0 && fields[0] == "ago" {
			n, fields = -n, fields[1:]
		}
		switch unit {
		case "sec", "second":
			t = t.Add(time.Duration(n) * time.Second)
		case "min", "minute":
			t = t.Add(time.Duration(n) * time.Minute)
		case "hour":
			t = t.Add(time.Duration(n) * time.Hour)
		case "day":
			t = t.AddDate(0, 0, n)
		case "week":
			t = t.AddDate(0, 0, 7*n)
		case "fortnight":
			t = t.AddDate(0, 0, 14*n)
		case "month":
			t = t.AddDate(0, n, 0)
		case "year":
			t = t.AddDate(n, 0, 0)
		default:
			return time.Time{}, errBadDate
		}
	}
	return t, nil
}
