package catalog

import "testing"

func TestMatcher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		include, exclude []string
		title, url       string
		want             bool
	}{
		{"empty include matches everything", nil, nil, "Anything", "https://s.example/p/1", true},
		{"title word", []string{"lego"}, nil, "LEGO® Technic Bugatti", "https://s.example/p/1", true},
		{"case and diacritics", []string{"creme brulee"}, nil, "Crème Brûlée Torch", "", true},
		{"diacritics in the keyword", []string{"Crème"}, nil, "CREME set", "", true},
		{"whole word only", []string{"lego"}, nil, "Legolas figure", "https://s.example/p/legolas", false},
		{"plural s", []string{"shoe"}, nil, "Trail shoes", "", true},
		{"plural es", []string{"box"}, nil, "Gift boxes", "", true},
		{"prefix star", []string{"lego*"}, nil, "Legolas figure", "", true},
		{"url slug with hyphens", []string{"running shoe"}, nil, "", "https://s.example/p/42-trail-running-shoe", true},
		{"url slug with underscores and extension", []string{"tent"}, nil, "", "https://s.example/products/family_tent.html", true},
		{"host is not the slug", []string{"shop"}, nil, "Kettle", "https://shop.example/p/kettle", false},
		{"phrase in order", []string{"running shoe"}, nil, "Shoe for running", "", false},
		{"any include", []string{"kettle", "toaster"}, nil, "Chrome Toaster", "", true},
		{"exclude wins", []string{"lego"}, []string{"duplo"}, "LEGO DUPLO train", "", false},
		{"exclude in url", []string{"lego"}, []string{"refurbished"}, "LEGO Castle", "https://s.example/p/lego-castle-refurbished", false},
		{"exclude alone", nil, []string{"used"}, "Used camera", "", false},
		{"exclude alone passes others", nil, []string{"used"}, "New camera", "", true},
		{"digits", []string{"3090"}, nil, "GeForce RTX 3090 Ti", "", true},
		{"punctuation", []string{"ps5"}, nil, "Sony PS5-Controller (white)", "", true},
		{"sharp s", []string{"strasse"}, nil, "Straße map", "", true},
		{"percent-encoded slug", []string{"café"}, nil, "", "https://s.example/p/caf%C3%A9-beans", true},
		{"cjk substring", []string{"乐高"}, nil, "乐高积木城堡", "", true},
		{"cjk no match", []string{"乐高"}, nil, "积木城堡", "", false},
		{"blank keywords ignored", []string{"  ", ""}, nil, "Anything", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := NewMatcher(tc.include, tc.exclude).Match(tc.title, tc.url); got != tc.want {
				t.Errorf("Match(%q, %q) with include %q exclude %q = %v, want %v", tc.title, tc.url, tc.include, tc.exclude, got, tc.want)
			}
		})
	}
}
