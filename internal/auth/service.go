package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/shelfwatch/shelfwatch/internal/store"
)

// Errors the HTTP layer turns into responses. Messages never say whether an
// account exists.
var (
	ErrInvalidCredentials = errors.New("auth: wrong email or password")
	ErrSignupClosed       = errors.New("auth: sign-up is closed on this instance")
	ErrInviteRequired     = errors.New("auth: sign-up on this instance needs an invite")
	ErrInviteUnusable     = errors.New("auth: the invite is unknown, used or expired")
	ErrEmailTaken         = errors.New("auth: an account with this email exists")
	ErrInvalidResetToken  = errors.New("auth: the reset link is invalid, used or expired")
	ErrInvalidToken       = errors.New("auth: invalid, expired or revoked API token")
	ErrSessionRequired    = errors.New("auth: this needs a signed-in session, not an API token")
	ErrScopeTooWide       = errors.New("auth: a read-scope token cannot create a read-write token")
)

// InputError is a field the user must correct.
type InputError struct{ Field, Detail string }

func (e *InputError) Error() string { return "auth: " + e.Field + ": " + e.Detail }

// LockedError says sign-in is paused for this account or address.
type LockedError struct{ RetryAfter time.Duration }

func (e *LockedError) Error() string { return fmt.Sprintf("auth: sign-in locked for %s", e.RetryAfter) }

// Options configures New. Zero values take the defaults named.
type Options struct {
	Store  *store.Store
	Logger *slog.Logger
	Hasher *Hasher // nil → DefaultParams, two hashes at a time
	// Mailer sends password-reset links; nil means none is configured: a
	// reset request is answered the same and a warning is logged.
	Mailer Mailer
	// BaseURL (scheme://host[:port]) starts links in emails. Never taken
	// from the request's Host header, which a client controls.
	BaseURL       string
	IdleTimeout   time.Duration // 0 → 7 days
	Lifetime      time.Duration // 0 → 30 days, from sign-in
	SecureCookies bool          // mark the session cookie Secure (TLS)
	Lockout       Lockout       // zero → DefaultLockout
	ResetTTL      time.Duration // 0 → 1 hour
	// ClientIP is a request's client address; nil → the connection's.
	ClientIP func(*http.Request) string
}

// Service is the accounts core: users, passwords, sessions, API tokens and
// lockout. Its methods are shared by the JSON API, the CLI and the web UI.
type Service struct {
	store    *store.Store
	log      *slog.Logger
	hasher   *Hasher
	mailer   Mailer
	baseURL  string
	lockout  Lockout
	resetTTL time.Duration
	clientIP func(*http.Request) string
	sessions *scs.SessionManager
	now      func() time.Time

	bg sync.WaitGroup // reset requests handled after the response
}

// Session keys.
const (
	keyUserID      = "user_id"
	keyWorkspaceID = "workspace_id"
	keyIP          = "ip"
	keyUserAgent   = "ua"
)

// New builds the service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Hasher == nil {
		o.Hasher = NewHasher(DefaultParams, 2)
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 7 * 24 * time.Hour
	}
	if o.Lifetime <= 0 {
		o.Lifetime = 30 * 24 * time.Hour
	}
	if o.Lockout == (Lockout{}) {
		o.Lockout = DefaultLockout
	}
	if o.ResetTTL <= 0 {
		o.ResetTTL = time.Hour
	}
	if o.ClientIP == nil {
		o.ClientIP = func(r *http.Request) string { return RemoteIP(r.RemoteAddr) }
	}
	s := &Service{store: o.Store, log: o.Logger, hasher: o.Hasher, mailer: o.Mailer,
		baseURL: strings.TrimRight(o.BaseURL, "/"), lockout: o.Lockout, resetTTL: o.ResetTTL,
		clientIP: o.ClientIP, now: time.Now}
	sm := scs.New()
	sm.Store = &sessionStore{st: o.Store}
	sm.IdleTimeout = o.IdleTimeout
	sm.Lifetime = o.Lifetime
	sm.Cookie.Name = "shelfwatch_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = o.SecureCookies
	sm.ErrorFunc = s.sessionError
	s.sessions = sm
	return s
}

// Sessions is the session manager (the web UI loads sessions through
// Middleware; this is for its own flash messages and the like).
func (s *Service) Sessions() *scs.SessionManager { return s.sessions }

// ClientIP is the request's client address as the service sees it.
func (s *Service) ClientIP(r *http.Request) string { return s.clientIP(r) }

// Wait blocks until background work (reset emails) has finished.
func (s *Service) Wait() { s.bg.Wait() }

// NewUser is what CreateUser needs.
type NewUser struct {
	Email    string
	Password string
	Name     string
	// Admin makes an instance admin (the CLI's --admin; the first user
	// always is one).
	Admin bool
	// ByOperator skips the sign-up mode (the CLI).
	ByOperator bool
	// Invite is an invite token to accept at sign-up (optional).
	Invite string
	IP     string
}

// CreateUser checks the input, hashes the password and creates the account
// with its workspace. The first user becomes instance admin and adopts the
// default workspace; later ones are subject to the sign-up mode.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (*store.Account, error) {
	email := strings.ToLower(strings.TrimSpace(n.Email))
	if p := EmailProblem(email); p != "" {
		return nil, &InputError{"email", p}
	}
	if p := PasswordProblem(n.Password, email); p != "" {
		return nil, &InputError{"password", p}
	}
	if len(n.Name) > 200 {
		return nil, &InputError{"name", "Use at most 200 characters."}
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	var joined int64
	acct, err := s.store.CreateAccount(ctx, store.NewAccount{
		Email: email, Name: n.Name, PasswordHash: hash, Admin: n.Admin, IP: n.IP,
		Allow: func(first bool) error {
			if first || n.ByOperator {
				return nil
			}
			mode, err := s.store.SignupMode(ctx)
			if err != nil {
				return err
			}
			switch {
			case mode == store.SignupClosed:
				return ErrSignupClosed
			case mode == store.SignupInviteOnly && n.Invite == "":
				return ErrInviteRequired
			}
			return nil
		},
		After: func(tx *sql.Tx, u *store.User) error {
			if n.Invite == "" {
				return nil
			}
			m, err := s.store.AcceptInvite(ctx, tx, n.Invite, u.ID)
			if errors.Is(err, store.ErrInviteUnusable) {
				return ErrInviteUnusable
			}
			if err != nil {
				return err
			}
			joined = m.WorkspaceID
			return nil
		},
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, ErrEmailTaken
	case err != nil:
		return nil, err
	}
	acct.JoinedWorkspaceID = joined
	s.log.InfoContext(ctx, "account created", "user_id", acct.User.ID, "instance_admin", acct.User.IsAdmin, "workspace_id", acct.PersonalWorkspaceID)
	return acct, nil
}

// EmailProblem says what is wrong with an email address, "" if nothing.
func EmailProblem(email string) string {
	a, err := mail.ParseAddress(email)
	if email == "" || err != nil || a.Address != email || a.Name != "" || len(email) > 254 {
		return "Enter an email address such as ann@example.com."
	}
	return ""
}

// SignIn checks an email and password. While the account or the address is
// locked it answers LockedError before looking at the password; unknown
// accounts cost the same hash as known ones, and both count failures.
func (s *Service) SignIn(ctx context.Context, email, password, ip string) (*store.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	ek, ik := emailKey(email), ipKey(ip)
	now := s.now().UnixMilli()
	until, err := s.store.LoginLockedUntil(ctx, ek, ik)
	if err != nil {
		return nil, err
	}
	if until > now {
		return nil, &LockedError{RetryAfter: time.Duration(until-now) * time.Millisecond}
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	ok, rehash := false, false
	if u == nil || len(password) > MaxPasswordBytes {
		s.hasher.VerifyDummy(ctx, password)
	} else {
		var verr error
		ok, rehash, verr = s.hasher.Verify(ctx, password, u.PasswordHash)
		if verr != nil && !errors.Is(verr, ErrBadHash) {
			return nil, verr
		}
	}
	if !ok {
		var actor int64
		if u != nil {
			actor = u.ID
		}
		if err := s.recordFailure(ctx, actor, email, ip, ek, ik); err != nil {
			return nil, err
		}
		return nil, ErrInvalidCredentials
	}
	if err := s.store.ClearLoginFailures(ctx, ek); err != nil {
		return nil, err
	}
	if rehash {
		if h, err := s.hasher.Hash(ctx, password); err == nil {
			if err := s.store.SetPasswordHash(ctx, u.ID, h); err != nil {
				s.log.WarnContext(ctx, "password rehash not saved", "user_id", u.ID, "err", err)
			}
		}
	}
	return u, nil
}

func (s *Service) recordFailure(ctx context.Context, actor int64, email, ip string, keys ...string) error {
	delay := func(n int) int64 { return s.lockout.Delay(n).Milliseconds() }
	locked := false
	for _, k := range keys {
		f, err := s.store.RecordLoginFailure(ctx, k, s.lockout.Forget.Milliseconds(), delay)
		if err != nil {
			return err
		}
		// Audit the lock when it first engages, not on every failure after.
		if f.Failures == s.lockout.Free+1 {
			locked = true
			if err := s.store.Audit(ctx, store.AuditEntry{ActorUserID: actor, Action: store.AuditLockout, Target: k, IP: ip}); err != nil {
				return err
			}
		}
	}
	target := email
	if actor != 0 {
		target = fmt.Sprintf("user:%d", actor)
	}
	if err := s.store.Audit(ctx, store.AuditEntry{ActorUserID: actor, Action: store.AuditSignInFailed, Target: target, IP: ip}); err != nil {
		return err
	}
	if locked {
		s.log.WarnContext(ctx, "sign-in lockout engaged", "ip", ip)
	}
	return nil
}

// StartSession signs the request's session in as user, acting in
// workspaceID (0: the user's home workspace), and returns that workspace.
// The session gets a new token (no fixation) and a fresh absolute lifetime.
// ctx must come from a request that went through Middleware.
func (s *Service) StartSession(ctx context.Context, r *http.Request, userID, workspaceID int64) (int64, error) {
	if !sessionLoaded(ctx) {
		return 0, errors.New("auth: no session loaded: the handler is not behind Service.Middleware")
	}
	if workspaceID == 0 {
		ws, err := s.store.HomeWorkspace(ctx, userID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, err
		}
		workspaceID = ws
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return 0, fmt.Errorf("auth: renew session: %w", err)
	}
	ua := r.UserAgent()
	if len(ua) > 200 {
		ua = ua[:200]
	}
	s.sessions.Put(ctx, keyUserID, userID)
	s.sessions.Put(ctx, keyWorkspaceID, workspaceID)
	s.sessions.Put(ctx, keyIP, s.clientIP(r))
	s.sessions.Put(ctx, keyUserAgent, ua)
	return workspaceID, nil
}

// AuditSignIn records a successful sign-in.
func (s *Service) AuditSignIn(ctx context.Context, u *store.User, workspaceID int64, ip string) error {
	return s.store.Audit(ctx, store.AuditEntry{WorkspaceID: workspaceID, ActorUserID: u.ID, Action: store.AuditSignIn,
		Target: fmt.Sprintf("user:%d", u.ID), IP: ip})
}

// SignOut ends the request's session.
func (s *Service) SignOut(ctx context.Context) error {
	if !sessionLoaded(ctx) {
		return nil
	}
	if err := s.sessions.Destroy(ctx); err != nil {
		return fmt.Errorf("auth: sign out: %w", err)
	}
	return nil
}

// SwitchWorkspace makes workspaceID the session's current workspace (the
// caller has checked the membership).
func (s *Service) SwitchWorkspace(r *http.Request, workspaceID int64) error {
	id, ok := FromContext(r.Context())
	if !ok || id.TokenID != 0 || !sessionLoaded(r.Context()) {
		return ErrSessionRequired
	}
	s.sessions.Put(r.Context(), keyWorkspaceID, workspaceID)
	return nil
}

// currentSessionHash is the stored form of the request's session token, ""
// when there is none.
func (s *Service) currentSessionHash(ctx context.Context) string {
	if !sessionLoaded(ctx) {
		return ""
	}
	if t := s.sessions.Token(ctx); t != "" {
		return HashSecret(t)
	}
	return ""
}

// ChangePassword replaces the signed-in user's password after checking the
// current one, ends their other sessions and renews this one's token.
func (s *Service) ChangePassword(ctx context.Context, id Identity, current, next, ip string) error {
	if id.TokenID != 0 {
		return ErrSessionRequired
	}
	u, err := s.store.GetUser(ctx, id.UserID)
	if err != nil {
		return err
	}
	ek := emailKey(u.Email)
	now := s.now().UnixMilli()
	until, err := s.store.LoginLockedUntil(ctx, ek, ipKey(ip))
	if err != nil {
		return err
	}
	if until > now {
		return &LockedError{RetryAfter: time.Duration(until-now) * time.Millisecond}
	}
	ok, _, verr := s.hasher.Verify(ctx, current, u.PasswordHash)
	if verr != nil && !errors.Is(verr, ErrBadHash) {
		return verr
	}
	if !ok {
		// A stolen session must not become a way to guess the password.
		if err := s.recordFailure(ctx, u.ID, u.Email, ip, ek); err != nil {
			return err
		}
		return &InputError{"current_password", "The current password is not right."}
	}
	if p := PasswordProblem(next, u.Email); p != "" {
		return &InputError{"new_password", p}
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	if err := s.store.ChangePassword(ctx, u.ID, hash, s.currentSessionHash(ctx), store.AuditEntry{
		WorkspaceID: id.WorkspaceID, ActorUserID: u.ID, Action: store.AuditPasswordChange, Target: fmt.Sprintf("user:%d", u.ID), IP: ip,
	}); err != nil {
		return err
	}
	if !sessionLoaded(ctx) {
		return nil
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return fmt.Errorf("auth: renew session: %w", err)
	}
	return nil
}

// RequestReset starts a password reset for email. It returns at once and
// does the work in the background, so neither the answer nor its timing
// says whether the account exists.
func (s *Service) RequestReset(ctx context.Context, email, ip string) {
	email = strings.ToLower(strings.TrimSpace(email))
	ctx = context.WithoutCancel(ctx)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		if err := s.sendReset(ctx, email, ip); err != nil {
			s.log.WarnContext(ctx, "password reset not sent", "err", err)
		}
	}()
}

func (s *Service) sendReset(ctx context.Context, email, ip string) error {
	if EmailProblem(email) != "" {
		return nil
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	token, hash := NewSecret()
	if err := s.store.CreatePasswordReset(ctx, u.ID, hash, s.now().Add(s.resetTTL).UnixMilli()); err != nil {
		return err
	}
	if s.mailer == nil {
		s.log.WarnContext(ctx, "password reset requested but no SMTP server is configured (set --smtp-url and --mail-from); no email sent", "user_id", u.ID)
		return nil
	}
	base := s.baseURL
	if base == "" {
		base = "http://localhost:8080"
	}
	body := fmt.Sprintf(`Someone (hopefully you) asked to reset the password of your shelfwatch account %s.

To choose a new password, open this link within %s:

%s/reset-password?token=%s

or send the token to the API: POST /api/v1/auth/password-reset/confirm {"token": "%s", "password": "..."}

If you did not ask for this, ignore this email: your password stays as it is.
The request came from %s.
`, u.Email, s.resetTTL, base, token, token, ip)
	if err := s.mailer.Send(ctx, Message{To: u.Email, Subject: "Reset your shelfwatch password", Body: body}); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "password reset email sent", "user_id", u.ID)
	return nil
}

// ConfirmReset sets a new password with a reset token. Every session of the
// user ends, and the token and the user's other reset tokens stop working.
func (s *Service) ConfirmReset(ctx context.Context, token, password, ip string) error {
	if token == "" || len(token) > 200 {
		return ErrInvalidResetToken
	}
	hash := HashSecret(token)
	u, err := s.store.PasswordResetUser(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidResetToken
	}
	if err != nil {
		return err
	}
	if p := PasswordProblem(password, u.Email); p != "" {
		return &InputError{"password", p}
	}
	ph, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	_, err = s.store.ResetPassword(ctx, hash, ph, emailKey(u.Email), store.AuditEntry{Action: store.AuditPasswordReset, IP: ip})
	if errors.Is(err, store.ErrNotFound) {
		return ErrInvalidResetToken
	}
	return err
}

// CreateToken makes an API token for the identity's user in its workspace
// and returns it (shown once) with its record.
func (s *Service) CreateToken(ctx context.Context, id Identity, name string, scope Scope, expiresAt *int64, ip string) (string, *store.APIToken, error) {
	if id.Scope == ScopeRead && scope == ScopeReadWrite {
		return "", nil, ErrScopeTooWide
	}
	return s.createToken(ctx, id.UserID, id.WorkspaceID, name, scope, expiresAt, ip)
}

func (s *Service) createToken(ctx context.Context, userID, workspaceID int64, name string, scope Scope, expiresAt *int64, ip string) (string, *store.APIToken, error) {
	name = strings.TrimSpace(name)
	if len(name) > 100 {
		return "", nil, &InputError{"name", "Use at most 100 characters."}
	}
	if scope != ScopeRead && scope != ScopeReadWrite {
		return "", nil, &InputError{"scope", `Use "read" or "read-write".`}
	}
	if expiresAt != nil && *expiresAt <= s.now().UnixMilli() {
		return "", nil, &InputError{"expires_at", "Give a time in the future, or leave it out for a token that does not expire."}
	}
	token, prefix, hash := NewAPIToken()
	t := &store.APIToken{UserID: userID, WorkspaceID: workspaceID, Name: name, Prefix: prefix, Scope: string(scope), ExpiresAt: expiresAt}
	err := s.store.CreateAPIToken(ctx, t, hash, store.AuditEntry{WorkspaceID: workspaceID, ActorUserID: userID,
		Action: store.AuditTokenCreate, IP: ip, Data: map[string]any{"scope": string(scope), "name": name, "prefix": prefix}})
	if err != nil {
		return "", nil, err
	}
	return token, t, nil
}

// CreateTokenForEmail is the CLI's token create: for the user with email in
// the workspace with slug ("" → their home workspace).
func (s *Service) CreateTokenForEmail(ctx context.Context, email, slug, name string, scope Scope) (string, *store.APIToken, error) {
	u, err := s.store.GetUserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, &InputError{"email", "No user has this email; create one with 'shelfwatch user create'."}
	}
	if err != nil {
		return "", nil, err
	}
	var ws int64
	if slug == "" {
		if ws, err = s.store.HomeWorkspace(ctx, u.ID); err != nil {
			return "", nil, err
		}
	} else {
		w, err := s.store.GetWorkspaceBySlug(ctx, slug)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil, &InputError{"workspace", fmt.Sprintf("No workspace has the slug %q.", slug)}
		}
		if err != nil {
			return "", nil, err
		}
		ws = w.ID
	}
	token, t, err := s.createToken(ctx, u.ID, ws, name, scope, nil, "")
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, &InputError{"workspace", "The user is not a member of that workspace."}
	}
	return token, t, err
}
