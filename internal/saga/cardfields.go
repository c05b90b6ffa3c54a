package saga

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// A field is a card field when its normalised name (NFKC, lower case, letters and digits
// only: "Card-Number", "card_number" and "ｃａｒｄＮｕｍｂｅｒ" are all "cardnumber") is one
// of cardFieldsExact, or contains one of cardFieldsWithin. Each value is our canonical
// spelling, the only one an error may show: the name as sent could itself hold a number.
//
// Exact names are short or ordinary words that, as substrings, would hit ordinary names:
// "cc" is in "account" and "success", "pan" in "company" and "japan", "pin" in "shipping",
// "exp" in "expected", "card" in "discard", "expiry" in "sessionExpiry", and the
// cc-prefixed abbreviations in "accNumber" and "accNo" (account number). Names matched
// within are compounds that name card data wherever they appear ("billingCardNumber",
// "card_cvv2", "primaryAccountNumberHash").
//
// Not listed: "cid" (the Amex name for its security code) is far more often a customer,
// client or correlation id, and a 3-4 digit code is card data only next to the number,
// which the number rule refuses anyway; "pincode" is a postal code in India; "expires"
// is every token's and cookie's expiry.
var cardFieldsExact = map[string]string{
	"cc": "cc", "ccnum": "ccNum", "ccnumber": "ccNumber", "ccno": "ccNo", "ccv": "ccv",
	"ccexp": "ccExp", "ccexpiry": "ccExpiry",
	"card": "card", "pan": "pan",
	"csc": "csc", "cvn": "cvn", "cvd": "cvd", "cav2": "cav2", "securitycode": "securityCode",
	"exp": "exp", "expiry": "expiry", "expiration": "expiration",
	"pin": "pin", "pinnumber": "pinNumber",
}

// cardFieldsWithin is searched in order, so the more specific names come first.
var cardFieldsWithin = []struct{ normalised, canonical string }{
	{"primaryaccountnumber", "primaryAccountNumber"},
	{"cardsecuritycode", "cardSecurityCode"},
	{"cardverification", "cardVerification"},
	{"cardholdername", "cardholderName"},
	{"cardholder", "cardholder"},
	{"nameoncard", "nameOnCard"},
	{"creditcard", "creditCard"},
	{"debitcard", "debitCard"},
	{"paymentcard", "paymentCard"},
	{"bankcard", "bankCard"},
	{"cardnumber", "cardNumber"},
	{"cardnum", "cardNum"},
	{"cardno", "cardNo"},
	{"cardpan", "cardPan"},
	{"cardexp", "cardExp"},
	{"cardpin", "cardPin"},
	{"expirationdate", "expirationDate"},
	{"expirationmonth", "expirationMonth"},
	{"expirationyear", "expirationYear"},
	{"expirydate", "expiryDate"},
	{"expirymonth", "expiryMonth"},
	{"expiryyear", "expiryYear"},
	{"expdate", "expDate"},
	{"expmonth", "expMonth"},
	{"expyear", "expYear"},
	{"cvv", "cvv"},
	{"cvc", "cvc"},
	{"pinblock", "pinBlock"},
	{"trackdata", "trackData"},
	{"track1", "track1"},
	{"track2", "track2"},
	{"magstripe", "magstripe"},
	{"magneticstripe", "magneticStripe"},
}

// cardFieldName returns our canonical spelling of the card field name is, if it is one.
func cardFieldName(name string) (canonical string, ok bool) {
	normalised := normalizeFieldName(name)
	if canonical, ok := cardFieldsExact[normalised]; ok {
		return canonical, true
	}
	for _, f := range cardFieldsWithin {
		if strings.Contains(normalised, f.normalised) {
			return f.canonical, true
		}
	}
	return "", false
}

func normalizeFieldName(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range norm.NFKC.String(name) {
		if d, ok := decimalDigitValue(r); ok {
			b.WriteByte('0' + d)
		} else if unicode.IsLetter(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}
