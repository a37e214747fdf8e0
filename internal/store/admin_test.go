package store_test

import (
	"testing"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

func TestUpdateDomainSettingsAudited(t *testing.T) {
	runOnEngines(t, func(t *testing.T, st *store.Store) {
		c := ctx(t)
		admin := store.Actor{UserID: 0, IP: "192.0.2.1"}
		rate, js := 12.5, true
		sel := `{"price":".price"}`
		d := must[*store.DomainSettings](t)(st.UpdateDomainSettings(c, admin, "shop.example",
			store.DomainPatch{RatePerMin: &rate, RequiresJS: &js, Selectors: &sel}))
		if d.RatePerMin != 12.5 || !d.RequiresJS || d.Blocked || d.Selectors != sel {
			t.Fatalf("UpdateDomainSettings = %+v", d)
		}
		blocked := true
		must[*store.DomainSettings](t)(st.UpdateDomainSettings(c, admin, "shop.example", store.DomainPatch{Blocked: &blocked}))
		list := must[[]store.DomainSettings](t)(st.ListDomainSettings(c))
		if len(list) != 1 || list[0].RatePerMin != 12.5 || !list[0].Blocked || !list[0].RequiresJS || list[0].Selectors != sel {
			t.Fatalf("after a partial update: %+v", list)
		}
		neg := -1.0
		_, err := st.UpdateDomainSettings(c, admin, "shop.example", store.DomainPatch{RatePerMin: &neg})
		wantErr(t, err, store.ErrInvalid, "negative rate")
		bad := `{"price":`
		_, err = st.UpdateDomainSettings(c, admin, "shop.example", store.DomainPatch{Selectors: &bad})
		wantErr(t, err, store.ErrInvalid, "bad JSON")

		entries := must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{}))
		if len(entries) != 2 || entries[0].Action != "domain.update" || entries[0].Target != "domain:shop.example" || entries[0].IP != "192.0.2.1" {
			t.Fatalf("audit = %+v", entries)
		}

		if err := st.UpdateInstanceSettings(c, admin, map[string]string{store.SettingSignupMode: store.SignupClosed}); err != nil {
			t.Fatal(err)
		}
		if m := must[string](t)(st.SignupMode(c)); m != store.SignupClosed {
			t.Fatalf("sign-up mode %q", m)
		}
		err = st.UpdateInstanceSettings(c, admin, map[string]string{store.SettingSignupMode: "sometimes"})
		wantErr(t, err, store.ErrInvalid, "bad sign-up mode")
		if m := must[string](t)(st.SignupMode(c)); m != store.SignupClosed {
			t.Fatalf("a refused update changed the mode to %q", m)
		}
		entries = must[[]store.AuditEntry](t)(st.ListAudit(c, store.FindAudit{Limit: 1}))
		if entries[0].Action != "instance.setting" || entries[0].Data["to"] != store.SignupClosed {
			t.Fatalf("audit = %+v", entries[0])
		}
	})
}
