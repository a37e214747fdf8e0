package auth

import (
	"context"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/shelfwatch/shelfwatch/internal/store"
	"github.com/shelfwatch/shelfwatch/internal/web/problem"
)

// sessionStore is scs's store on our database. Tokens are stored as their
// SHA-256, so a copy of the database holds no usable session. The user id,
// address and user agent are copied out of the session data on commit,
// which lets a user list and revoke their sessions.
type sessionStore struct {
	st *store.Store
}

var _ scs.CtxStore = (*sessionStore)(nil)

func (s *sessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	return s.st.FindSession(ctx, HashSecret(token))
}

func (s *sessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	r := store.SessionRecord{TokenHash: HashSecret(token), Data: b, ExpiresAt: expiry.UnixMilli()}
	if _, values, err := (scs.GobCodec{}).Decode(b); err == nil {
		r.UserID, _ = values[keyUserID].(int64)
		r.IP, _ = values[keyIP].(string)
		r.UserAgent, _ = values[keyUserAgent].(string)
	}
	return s.st.CommitSession(ctx, r)
}

func (s *sessionStore) DeleteCtx(ctx context.Context, token string) error {
	return s.st.RevokeSessionHash(ctx, HashSecret(token))
}

func (s *sessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

func (s *sessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

func (s *sessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

func (s *Service) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.ErrorContext(r.Context(), "session store", "err", err, "method", r.Method, "path", r.URL.Path)
	problem.Internal(w)
}
