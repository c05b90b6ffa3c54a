package saga

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// idClasses generate realistic ids of one kind each, from a seeded source. maxRate is
// the share of them the detector may take for card numbers: near zero for ids whose
// digits letters keep apart, about the Luhn check's one in ten for ids whose 13-19 digits
// are separated by punctuation only, which the rule cannot tell from a card number.
var idClasses = []struct {
	name    string
	maxRate float64
	next    func(r *rand.Rand) string
}{
	// A UUID's hex holds runs of decimal digits that dashes do not separate: about one in
	// 370 holds a window that passes Luhn ("a2197079-0900-4210-98c8-…" holds
	// 2197079 0900 4210 98, 17 digits).
	{"UUID v4", 0.004, func(r *rand.Rand) string {
		b := randomBytes(r, 16)
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
		h := hex.EncodeToString(b)
		return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}},
	{"UUID v4 without dashes", 0.003, func(r *rand.Rand) string { return hex.EncodeToString(randomBytes(r, 16)) }},
	{"ULID", 0.001, func(r *rand.Rand) string { return "01" + randomText(r, "0123456789ABCDEFGHJKMNPQRSTVWXYZ", 24) }},
	{"KSUID", 0.001, func(r *rand.Rand) string { return randomText(r, base62, 27) }},
	{"Stripe-style id", 0.001, func(r *rand.Rand) string {
		return []string{"tok_", "pm_", "cus_", "pi_", "ch_", "seti_"}[r.IntN(6)] + randomText(r, base62, 24)
	}},
	{"email address", 0.001, func(r *rand.Rand) string {
		return randomText(r, "abcdefghijklmnopqrstuvwxyz", 1+r.IntN(8)) + randomText(r, "0123456789", r.IntN(6)) + "@example.com"
	}},
	{"IPv4 address", 0, func(r *rand.Rand) string {
		return fmt.Sprintf("%d.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
	}},
	{"RFC 3339 time, milliseconds", 0.001, func(r *rand.Rand) string { return randomTime(r) + fmt.Sprintf(".%03dZ", r.IntN(1000)) }},
	{"order number ORD-YYYY-NNNNNN", 0, func(r *rand.Rand) string { return fmt.Sprintf("ORD-%d-%06d", 2020+r.IntN(10), r.IntN(1000000)) }},
	{"E.164 phone number, 8-12 digits", 0, func(r *rand.Rand) string { return "+" + randomDigits(r, 8+r.IntN(5)) }},
	{"E.164 phone number, 13-15 digits", 0.12, func(r *rand.Rand) string { return "+" + randomDigits(r, 13+r.IntN(3)) }},
	{"ride id ride-YYYY-MM-DD-NNNNNN", 0.12, func(r *rand.Rand) string {
		return fmt.Sprintf("ride-%d-%02d-%02d-%06d", 2020+r.IntN(10), 1+r.IntN(12), 1+r.IntN(28), r.IntN(1000000))
	}},
	{"Unix time in milliseconds", 0.12, func(r *rand.Rand) string { return fmt.Sprint(1_700_000_000_000 + r.Int64N(100_000_000_000)) }},
	{"RFC 3339 time, nanoseconds and offset", 0.5, func(r *rand.Rand) string {
		return randomTime(r) + fmt.Sprintf(".%09d+%02d:00", r.IntN(1_000_000_000), r.IntN(13))
	}},
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func randomText(r *rand.Rand, alphabet string, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func randomDigits(r *rand.Rand, n int) string { return randomText(r, "0123456789", n) }

func randomTime(r *rand.Rand) string {
	return fmt.Sprintf("%d-%02d-%02dT%02d:%02d:%02d", 2020+r.IntN(10), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
}

func TestFalsePositiveRatesOnRandomIDs(t *testing.T) {
	const samples = 10000
	for _, class := range idClasses {
		r := rand.New(rand.NewPCG(8, 2026))
		refused := 0
		for range samples {
			if ContainsCardNumber(class.next(r)) {
				refused++
			}
		}
		rate := float64(refused) / samples
		t.Logf("%-40s %5d of %d refused (%.2f%%)", class.name, refused, samples, 100*rate)
		assert.LessOrEqual(t, rate, class.maxRate, class.name)
	}
}
