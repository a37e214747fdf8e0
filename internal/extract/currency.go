package extract

import "strings"

// tldCurrency maps country-code TLDs to the currency their stores price in;
// used only when neither structured data nor the price text settles it.
var tldCurrency = map[string]string{
	"us": "USD", "uk": "GBP", "ca": "CAD", "au": "AUD", "nz": "NZD", "in": "INR", "br": "BRL", "mx": "MXN",
	"ar": "ARS", "cl": "CLP", "co": "COP", "pe": "PEN", "uy": "UYU", "se": "SEK", "no": "NOK", "dk": "DKK",
	"is": "ISK", "ch": "CHF", "li": "CHF", "pl": "PLN", "cz": "CZK", "hu": "HUF", "ro": "RON", "bg": "BGN",
	"tr": "TRY", "ru": "RUB", "ua": "UAH", "jp": "JPY", "cn": "CNY", "kr": "KRW", "tw": "TWD", "hk": "HKD",
	"sg": "SGD", "my": "MYR", "th": "THB", "id": "IDR", "ph": "PHP", "vn": "VND", "za": "ZAR", "ng": "NGN",
	"ke": "KES", "eg": "EGP", "ma": "MAD", "tn": "TND", "dz": "DZD", "ae": "AED", "sa": "SAR", "qa": "QAR",
	"kw": "KWD", "bh": "BHD", "om": "OMR", "jo": "JOD", "il": "ILS", "pk": "PKR", "bd": "BDT", "lk": "LKR",
	"de": "EUR", "fr": "EUR", "es": "EUR", "it": "EUR", "nl": "EUR", "be": "EUR", "at": "EUR", "ie": "EUR",
	"pt": "EUR", "fi": "EUR", "gr": "EUR", "sk": "EUR", "si": "EUR", "ee": "EUR", "lv": "EUR", "lt": "EUR",
	"lu": "EUR", "mt": "EUR", "cy": "EUR", "hr": "EUR", "rs": "RSD", "ge": "GEL", "am": "AMD", "kz": "KZT",
}

// tokenDefault is the most common currency for a sign that several share,
// used only when no hint settles it.
var tokenDefault = map[string]string{
	"$": "USD", "us$": "USD", "rs": "INR", "₨": "INR", "kr": "SEK", "¥": "JPY", "r$": "BRL", "fr": "CHF", "dh": "MAD",
}

// currencyFromHost guesses a currency from the host's country TLD
// ("www.kabum.com.br" → BRL, "shop.co.uk" → GBP).
func currencyFromHost(host string) string {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	i := strings.LastIndexByte(host, '.')
	if i < 0 {
		return ""
	}
	return tldCurrency[host[i+1:]]
}

// currencyFromLocale guesses from a locale's region ("pt_BR", "sv-SE", "en-IN").
func currencyFromLocale(loc string) string {
	loc = strings.ToLower(strings.ReplaceAll(loc, "_", "-"))
	if i := strings.LastIndexByte(loc, '-'); i >= 0 && len(loc)-i-1 == 2 {
		r := loc[i+1:]
		if r == "gb" {
			return "GBP"
		}
		return tldCurrency[r]
	}
	switch loc {
	case "sv":
		return "SEK"
	case "da":
		return "DKK"
	case "nb", "nn", "no":
		return "NOK"
	case "pl":
		return "PLN"
	case "cs":
		return "CZK"
	case "hu":
		return "HUF"
	case "ro":
		return "RON"
	case "tr":
		return "TRY"
	case "ja":
		return "JPY"
	}
	return ""
}
