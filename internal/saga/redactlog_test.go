package saga

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type cardHolder struct{ Number string }

type cardStringer struct{}

func (cardStringer) String() string { return "card 4111-1111-1111-1111" }

func TestRedactCardNumbersAttrKeepsCardNumbersOutOfLogLines(t *testing.T) {
	const card = "4111111111111111"
	var out bytes.Buffer
	// No time: a wall-clock time's digits ("09:17:56.434682461") make windows that pass
	// Luhn by chance, which would make the assertion on the whole line flaky.
	withoutTime := func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return RedactCardNumbersAttr(groups, a)
	}
	logger := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{ReplaceAttr: withoutTime}))
	logger.With("fareId", "fare-1").Info("refused customer rider."+card,
		"customerId", "rider."+card,
		"cause", fmt.Errorf("gateway said: %w", errors.New("card "+group(card, 4, " ")+" declined")),
		"input", json.RawMessage(`{"n":`+card+`}`),
		"raw", []byte("tok_"+card),
		"number", int64(4111111111111111),
		"unsigned", uint64(4111111111111111),
		"float", 4111111111111111.0,
		"struct", cardHolder{Number: card},
		"stringer", cardStringer{},
		slog.Group("request", "pan", "x"+card+"y", "amount", 1250),
		"ｆｕｌｌ"+card, "key",
	)
	line := out.String()
	assertNothingOf(t, line, card)
	assert.Equal(t, 12, strings.Count(line, RedactedCardNumber), line)

	var fields map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &fields))
	assert.Equal(t, "fare-1", fields["fareId"])
	assert.Equal(t, map[string]any{"pan": "x" + RedactedCardNumber + "y", "amount": 1250.0}, fields["request"])
}

func TestRedactCardNumbersAttrLeavesOtherValuesAlone(t *testing.T) {
	cause := errors.New("gateway unavailable")
	for _, a := range []slog.Attr{
		slog.String("fareId", "ride-2026-12-01-000123"), slog.Int("amount", 1250), slog.Bool("ok", true),
		slog.Duration("took", time.Second), slog.Time("at", time.Unix(1764584130, 0)),
		slog.Any("err", cause), slog.Float64("ratio", 0.5), slog.Any("ids", []string{"a", "b"}),
	} {
		assert.Equal(t, a, RedactCardNumbersAttr(nil, a))
	}
}

func TestNewLoggerRedactsCardNumbersFromEveryLine(t *testing.T) {
	var out bytes.Buffer
	NewLogger(&out, slog.LevelInfo).Info("refused rider.4111111111111111", "customerId", "rider.5555 5555 5555 4444",
		"error", errors.New("bad 378282246310005"))
	assert.NotContains(t, out.String(), "4111111111111111")
	assert.NotContains(t, out.String(), "5555 5555")
	assert.NotContains(t, out.String(), "378282246310005")
	assert.Contains(t, out.String(), RedactedCardNumber)
	var line map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &line), "still one JSON line")
}
