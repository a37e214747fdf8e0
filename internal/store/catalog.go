package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shelfwatch/shelfwatch/internal/db"
)

// EventNewProduct is the kind of the event a catalog watch writes for a
// product it announces.
const EventNewProduct = "new_product"

// CatalogWatch is a workspace's watch on a store's catalog for new products.
type CatalogWatch struct {
	ID          int64
	WorkspaceID int64
	URL         string // canonical store root or sitemap URL; unique per workspace
	Name        string
	Include     []string // any of these (empty: everything)
	Exclude     []string // none of these
	Interval    time.Duration
	Paused      bool
	// AnnounceExisting makes the first scan announce what it finds instead
	// of only recording a baseline.
	AnnounceExisting bool
	// AutoWatch gives every announced product a watch in the workspace.
	AutoWatch bool

	Scans               int64 // successful scans; the first is the baseline
	NextScanAt          int64
	LastScanAt          *int64
	LastError           string
	ConsecutiveFailures int
	LastScanItems       int64
	LastScanNew         int64
	LastScanAnnounced   int64
	ItemsSeen           int64
	CreatedAt           int64
	UpdatedAt           int64
}

// CatalogItem is one product a catalog watch has found: its seen set and its
// feed. Items that did not match the keywords are remembered too.
type CatalogItem struct {
	ID             int64
	CatalogWatchID int64
	CanonicalURL   string
	URL            string
	Title          string
	PriceMinor     *int64 // in Currency's minor units; 2 decimals when Currency is ""
	Currency       string
	Lastmod        *int64
	Matched        bool
	Announced      bool
	EventID        *int64
	FirstSeenAt    int64
}

// CatalogEvent is an event about a catalog watch (new_product). Product
// events are read with ListEvents.
type CatalogEvent struct {
	ID             int64
	CatalogWatchID int64
	Kind           string
	Data           string // JSON
	At             int64
}

// NewProductData is the JSON of a new_product event: everything the alerts
// need to notify the catalog watch's workspace.
type NewProductData struct {
	CatalogWatchID int64  `json:"catalog_watch_id"`
	WorkspaceID    int64  `json:"workspace_id"`
	CatalogItemID  int64  `json:"catalog_item_id"`
	URL            string `json:"url"`
	CanonicalURL   string `json:"canonical_url"`
	Title          string `json:"title"`
	PriceMinor     *int64 `json:"price_minor,omitempty"`
	Currency       string `json:"currency,omitempty"`
}

// UpdateCatalogWatch holds the fields PatchCatalogWatch changes; nil leaves
// a field alone.
type UpdateCatalogWatch struct {
	Name             *string
	Include          *[]string
	Exclude          *[]string
	Interval         *time.Duration
	Paused           *bool
	AnnounceExisting *bool
	AutoWatch        *bool
}

// FindCatalogWatches pages ListCatalogWatches, newest first; AfterID is the
// cursor (IDs below it).
type FindCatalogWatches struct {
	AfterID int64
	Limit   int // 0 → 50, capped at 500
}

// FindCatalogItems pages ListCatalogItems, newest first.
type FindCatalogItems struct {
	AfterID       int64
	Limit         int // 0 → 50, capped at 500
	AnnouncedOnly bool
}

// CatalogScan is what one successful scan found. Matched is decided by the
// caller (the keyword filter); whether a new item is announced is decided
// here, inside the transaction, from the watch's scan count.
type CatalogScan struct {
	At    int64
	Items []CatalogScanItem
}

// CatalogScanItem is one product a scan found.
type CatalogScanItem struct {
	CanonicalURL string
	URL          string
	Title        string
	PriceMinor   *int64
	Currency     string
	Lastmod      *int64
	Matched      bool
}

// CatalogScanResult says what RecordCatalogScan wrote.
type CatalogScanResult struct {
	Baseline  bool          // the first scan: nothing announced unless AnnounceExisting
	New       int           // items never seen before
	Announced []CatalogItem // the new items that got a new_product event
}

const catalogWatchCols = `id, workspace_id, url, name, include_keywords, exclude_keywords, interval_ms, paused,
	announce_existing, auto_watch, scans, next_scan_at, last_scan_at, last_error, consecutive_failures,
	last_scan_items, last_scan_new, last_scan_announced, items_seen, created_at, updated_at`

func scanCatalogWatch(row interface{ Scan(...any) error }) (*CatalogWatch, error) {
	var c CatalogWatch
	var inc, exc string
	var ms int64
	if err := row.Scan(&c.ID, &c.WorkspaceID, &c.URL, &c.Name, &inc, &exc, &ms, &c.Paused,
		&c.AnnounceExisting, &c.AutoWatch, &c.Scans, &c.NextScanAt, &c.LastScanAt, &c.LastError, &c.ConsecutiveFailures,
		&c.LastScanItems, &c.LastScanNew, &c.LastScanAnnounced, &c.ItemsSeen, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	c.Interval = time.Duration(ms) * time.Millisecond
	if err := json.Unmarshal([]byte(inc), &c.Include); err != nil {
		return nil, fmt.Errorf("catalog watch %d: include keywords: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(exc), &c.Exclude); err != nil {
		return nil, fmt.Errorf("catalog watch %d: exclude keywords: %w", c.ID, err)
	}
	return &c, nil
}

func checkCatalogWatch(c *CatalogWatch) error {
	switch {
	case c.URL == "":
		return fmt.Errorf("%w: catalog URL is required", ErrInvalid)
	case c.Interval < time.Millisecond:
		return fmt.Errorf("%w: catalog scan interval must be positive", ErrInvalid)
	}
	return nil
}

// CreateCatalogWatch inserts c (filling ID, times and NextScanAt: due now,
// unless set). The workspace already having a catalog watch of c.URL is
// ErrConflict; an unknown workspace is ErrNotFound.
func (s *Store) CreateCatalogWatch(ctx context.Context, c *CatalogWatch) error {
	if err := checkCatalogWatch(c); err != nil {
		return err
	}
	inc, err := encodeTags(c.Include)
	if err != nil {
		return fmt.Errorf("%w: include keywords: %w", ErrInvalid, err)
	}
	exc, err := encodeTags(c.Exclude)
	if err != nil {
		return fmt.Errorf("%w: exclude keywords: %w", ErrInvalid, err)
	}
	now := s.nowMS()
	if c.NextScanAt == 0 {
		c.NextScanAt = now
	}
	err = s.db.Write.QueryRowContext(ctx, `INSERT INTO catalog_watches
		(workspace_id, url, name, include_keywords, exclude_keywords, interval_ms, paused, announce_existing,
		 auto_watch, next_scan_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		c.WorkspaceID, c.URL, c.Name, inc, exc, c.Interval.Milliseconds(), c.Paused, c.AnnounceExisting,
		c.AutoWatch, c.NextScanAt, now).Scan(&c.ID)
	if isForeignKeyViolation(err) {
		return fmt.Errorf("create catalog watch: workspace %d: %w", c.WorkspaceID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("create catalog watch %s: %w", c.URL, mapErr(err))
	}
	c.CreatedAt, c.UpdatedAt = now, now
	if c.Include == nil {
		c.Include = []string{}
	}
	if c.Exclude == nil {
		c.Exclude = []string{}
	}
	return nil
}

// GetCatalogWatch returns the workspace's catalog watch; another
// workspace's is ErrNotFound.
func (s *Store) GetCatalogWatch(ctx context.Context, workspaceID, id int64) (*CatalogWatch, error) {
	c, err := scanCatalogWatch(s.db.Read.QueryRowContext(ctx,
		`SELECT `+catalogWatchCols+` FROM catalog_watches WHERE id = $1 AND workspace_id = $2`, id, workspaceID))
	if err != nil {
		return nil, fmt.Errorf("get catalog watch %d: %w", id, err)
	}
	return c, nil
}

// CatalogWatchForScan returns a catalog watch whatever its workspace, for the
// scan worker.
func (s *Store) CatalogWatchForScan(ctx context.Context, id int64) (*CatalogWatch, error) {
	c, err := scanCatalogWatch(s.db.Read.QueryRowContext(ctx,
		`SELECT `+catalogWatchCols+` FROM catalog_watches WHERE id = $1`, id))
	if err != nil {
		return nil, fmt.Errorf("catalog watch %d: %w", id, err)
	}
	return c, nil
}

// ListCatalogWatches returns a page of the workspace's catalog watches,
// newest first.
func (s *Store) ListCatalogWatches(ctx context.Context, workspaceID int64, f FindCatalogWatches) ([]CatalogWatch, error) {
	limit, after := pageBounds(f.Limit, f.AfterID)
	rows, err := s.db.Read.QueryContext(ctx, `SELECT `+catalogWatchCols+` FROM catalog_watches
		WHERE workspace_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, workspaceID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list catalog watches: %w", err)
	}
	defer rows.Close()
	out := []CatalogWatch{}
	for rows.Next() {
		c, err := scanCatalogWatch(rows)
		if err != nil {
			return nil, fmt.Errorf("list catalog watches: %w", err)
		}
		out = append(out, *c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list catalog watches: %w", err)
	}
	return out, nil
}

func pageBounds(limit int, after int64) (int, int64) {
	switch {
	case limit <= 0:
		limit = 50
	case limit > 500:
		limit = 500
	}
	if after <= 0 {
		after = maxInt64
	}
	return limit, after
}

// PatchCatalogWatch applies u to the workspace's catalog watch and returns
// it. A new interval counts from the last scan. Keyword changes apply to
// products found from now on: items already seen are never announced.
func (s *Store) PatchCatalogWatch(ctx context.Context, workspaceID, id int64, u UpdateCatalogWatch) (*CatalogWatch, error) {
	var out *CatalogWatch
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := scanCatalogWatch(tx.QueryRowContext(ctx, `SELECT `+catalogWatchCols+` FROM catalog_watches
			WHERE id = $1 AND workspace_id = $2`+s.forUpdate(), id, workspaceID))
		if err != nil {
			return err
		}
		if u.Name != nil {
			c.Name = *u.Name
		}
		if u.Include != nil {
			c.Include = *u.Include
		}
		if u.Exclude != nil {
			c.Exclude = *u.Exclude
		}
		if u.Interval != nil && *u.Interval != c.Interval {
			c.Interval = *u.Interval
			if c.LastScanAt != nil && c.ConsecutiveFailures == 0 {
				c.NextScanAt = *c.LastScanAt + c.Interval.Milliseconds()
			}
		}
		if u.Paused != nil {
			c.Paused = *u.Paused
		}
		if u.AnnounceExisting != nil {
			c.AnnounceExisting = *u.AnnounceExisting
		}
		if u.AutoWatch != nil {
			c.AutoWatch = *u.AutoWatch
		}
		if err := checkCatalogWatch(c); err != nil {
			return err
		}
		inc, err := encodeTags(c.Include)
		if err != nil {
			return fmt.Errorf("%w: include keywords: %w", ErrInvalid, err)
		}
		exc, err := encodeTags(c.Exclude)
		if err != nil {
			return fmt.Errorf("%w: exclude keywords: %w", ErrInvalid, err)
		}
		c.UpdatedAt = s.nowMS()
		_, err = tx.ExecContext(ctx, `UPDATE catalog_watches SET name = $1, include_keywords = $2,
			exclude_keywords = $3, interval_ms = $4, paused = $5, announce_existing = $6, auto_watch = $7,
			next_scan_at = $8, updated_at = $9 WHERE id = $10`,
			c.Name, inc, exc, c.Interval.Milliseconds(), c.Paused, c.AnnounceExisting, c.AutoWatch,
			c.NextScanAt, c.UpdatedAt, c.ID)
		out = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("patch catalog watch %d: %w", id, mapErr(err))
	}
	return out, nil
}

// DeleteCatalogWatch deletes the workspace's catalog watch with its items
// and events; another workspace's is ErrNotFound.
func (s *Store) DeleteCatalogWatch(ctx context.Context, workspaceID, id int64) error {
	if err := execOne(ctx, s.db.Write, `DELETE FROM catalog_watches WHERE id = $1 AND workspace_id = $2`, id, workspaceID); err != nil {
		return fmt.Errorf("delete catalog watch %d: %w", id, err)
	}
	return nil
}

// ScheduleCatalogScan makes the workspace's catalog watch due at at (a
// "scan now" is at = now); another workspace's is ErrNotFound.
func (s *Store) ScheduleCatalogScan(ctx context.Context, workspaceID, id, at int64) error {
	if err := execOne(ctx, s.db.Write, `UPDATE catalog_watches SET next_scan_at = $1 WHERE id = $2 AND workspace_id = $3`, at, id, workspaceID); err != nil {
		return fmt.Errorf("schedule catalog scan %d: %w", id, err)
	}
	return nil
}

// DueCatalogWatches returns the ids of unpaused catalog watches due at now,
// the longest overdue first.
func (s *Store) DueCatalogWatches(ctx context.Context, now int64, limit int) ([]int64, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id FROM catalog_watches
		WHERE next_scan_at <= $1 AND NOT paused ORDER BY next_scan_at, id LIMIT $2`, now, limit)
	if err != nil {
		return nil, fmt.Errorf("due catalog watches: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("due catalog watches: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due catalog watches: %w", err)
	}
	return ids, nil
}

// RecordCatalogScan records a successful scan in one transaction: every item
// never seen by this catalog watch joins its seen set, and each of those that
// matched gets a new_product event, except on the baseline (first) scan when
// the watch does not announce existing products. The UNIQUE (catalog watch,
// canonical URL) key makes a repeated scan (a retry after a crash) announce
// nothing twice. The watch's counters and next scan time are updated.
func (s *Store) RecordCatalogScan(ctx context.Context, id int64, scan CatalogScan) (*CatalogScanResult, error) {
	for i := range scan.Items {
		it := &scan.Items[i]
		if it.CanonicalURL == "" {
			return nil, fmt.Errorf("%w: catalog item %d has no canonical URL", ErrInvalid, i)
		}
		if c := it.Currency; c != "" && len(c) != 3 {
			return nil, fmt.Errorf("%w: catalog item %s: currency %q is not an ISO 4217 code", ErrInvalid, it.CanonicalURL, c)
		}
		if it.URL == "" {
			it.URL = it.CanonicalURL
		}
	}
	if scan.At == 0 {
		scan.At = s.nowMS()
	}
	early, err := s.recordBaselineInParts(ctx, id, scan)
	if err != nil {
		return nil, fmt.Errorf("record catalog scan %d: %w", id, mapErr(err))
	}
	var res CatalogScanResult
	var evs []Event
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		res = CatalogScanResult{New: early}
		c, err := scanCatalogWatch(tx.QueryRowContext(ctx, `SELECT `+catalogWatchCols+` FROM catalog_watches
			WHERE id = $1`+s.forUpdate(), id))
		if err != nil {
			return err
		}
		res.Baseline = c.Scans == 0
		announce := !res.Baseline || c.AnnounceExisting
		// Skip what is already known with one read, not a conflicting
		// insert per item: a store's catalog is mostly seen items.
		seen, err := catalogSeen(ctx, tx, id)
		if err != nil {
			return err
		}
		var fresh []CatalogItem
		for _, it := range scan.Items {
			if _, ok := seen[it.CanonicalURL]; ok {
				continue
			}
			seen[it.CanonicalURL] = struct{}{}
			fresh = append(fresh, CatalogItem{CatalogWatchID: id, CanonicalURL: it.CanonicalURL, URL: it.URL, Title: it.Title,
				PriceMinor: it.PriceMinor, Currency: it.Currency, Lastmod: it.Lastmod, Matched: it.Matched,
				Announced: announce && it.Matched, FirstSeenAt: scan.At})
		}
		// Many rows per INSERT: a baseline of a big store is 200,000 rows,
		// and on SQLite the writer is everyone's while this runs.
		for start := 0; start < len(fresh); start += s.catalogInsertBatch() {
			batch := fresh[start:min(start+s.catalogInsertBatch(), len(fresh))]
			inserted, err := insertCatalogItems(ctx, tx, batch)
			if err != nil {
				return err
			}
			res.New += len(inserted)
			for _, item := range inserted {
				if !item.Announced {
					continue
				}
				data, err := json.Marshal(NewProductData{CatalogWatchID: id, WorkspaceID: c.WorkspaceID, CatalogItemID: item.ID,
					URL: item.URL, CanonicalURL: item.CanonicalURL, Title: item.Title, PriceMinor: item.PriceMinor, Currency: item.Currency})
				if err != nil {
					return err
				}
				var eid int64
				if err := tx.QueryRowContext(ctx, `INSERT INTO events (catalog_watch_id, kind, data, at)
					VALUES ($1, $2, $3, $4) RETURNING id`, id, EventNewProduct, string(data), scan.At).Scan(&eid); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE catalog_items SET event_id = $1 WHERE id = $2`, eid, item.ID); err != nil {
					return err
				}
				item.EventID = &eid
				res.Announced = append(res.Announced, item)
				evs = append(evs, Event{ID: eid, CatalogWatchID: id, Kind: EventNewProduct, Data: string(data), At: scan.At})
			}
		}
		// The alerts turn the events into notifications in this same
		// transaction (eventhook.go).
		if err := s.runEventHook(ctx, tx, evs); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE catalog_watches SET scans = scans + 1, last_scan_at = $1,
			last_error = '', consecutive_failures = 0, last_scan_items = $2, last_scan_new = $3,
			last_scan_announced = $4, items_seen = items_seen + $3, next_scan_at = $5, updated_at = $1
			WHERE id = $6`,
			scan.At, len(scan.Items), res.New, len(res.Announced), scan.At+c.Interval.Milliseconds(), id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("record catalog scan %d: %w", id, mapErr(err))
	}
	s.runCommitHook(evs)
	return &res, nil
}

// catalogInsertBatch is the rows per INSERT: many on PostgreSQL (fewer
// round trips); few on SQLite, whose driver looks each $N up by name.
func (s *Store) catalogInsertBatch() int {
	if s.db.Engine == db.Postgres {
		return 500
	}
	return 20
}

// baselinePart is the items a baseline commits at a time.
const baselinePart = 5000

// recordBaselineInParts inserts the items of a big baseline scan in
// transactions of baselinePart items and returns how many were new. A
// baseline announces nothing, so it may commit in parts (a crash leaves the
// scan count at 0 and the next scan is a baseline again); on SQLite, whose
// single writer everything shares, one transaction of 200,000 rows would
// hold up every check for seconds. Other scans are left to RecordCatalogScan's
// one transaction.
func (s *Store) recordBaselineInParts(ctx context.Context, id int64, scan CatalogScan) (int, error) {
	if len(scan.Items) <= baselinePart {
		return 0, nil
	}
	var scans int64
	var announceExisting bool
	if err := s.db.Read.QueryRowContext(ctx, `SELECT scans, announce_existing FROM catalog_watches WHERE id = $1`, id).
		Scan(&scans, &announceExisting); err != nil {
		return 0, err
	}
	if scans > 0 || announceExisting {
		return 0, nil
	}
	n := 0
	for start := 0; start < len(scan.Items); start += baselinePart {
		part := scan.Items[start:min(start+baselinePart, len(scan.Items))]
		items := make([]CatalogItem, 0, len(part))
		for _, it := range part {
			items = append(items, CatalogItem{CatalogWatchID: id, CanonicalURL: it.CanonicalURL, URL: it.URL, Title: it.Title,
				PriceMinor: it.PriceMinor, Currency: it.Currency, Lastmod: it.Lastmod, Matched: it.Matched, FirstSeenAt: scan.At})
		}
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			for b := 0; b < len(items); b += s.catalogInsertBatch() {
				ins, err := insertCatalogItems(ctx, tx, items[b:min(b+s.catalogInsertBatch(), len(items))])
				if err != nil {
					return err
				}
				n += len(ins)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return n, nil
}

// insertCatalogItems inserts items (one catalog watch's, not yet seen) and
// returns those inserted, with their ids; a row another scan inserted
// meanwhile is skipped by the UNIQUE key.
func insertCatalogItems(ctx context.Context, tx *sql.Tx, items []CatalogItem) ([]CatalogItem, error) {
	var q strings.Builder
	q.WriteString(`INSERT INTO catalog_items
		(catalog_watch_id, canonical_url, url, title, price_minor, currency, lastmod, matched, announced, first_seen_at) VALUES `)
	args := make([]any, 0, len(items)*10)
	for i, it := range items {
		if i > 0 {
			q.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9, n+10)
		args = append(args, it.CatalogWatchID, it.CanonicalURL, it.URL, it.Title, it.PriceMinor, it.Currency, it.Lastmod,
			it.Matched, it.Announced, it.FirstSeenAt)
	}
	q.WriteString(` ON CONFLICT (catalog_watch_id, canonical_url) DO NOTHING RETURNING id, canonical_url`)
	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make(map[string]int64, len(items))
	for rows.Next() {
		var id int64
		var u string
		if err := rows.Scan(&id, &u); err != nil {
			return nil, err
		}
		ids[u] = id
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]CatalogItem, 0, len(ids))
	for _, it := range items { // in the scan's order, whatever order RETURNING used
		if id, ok := ids[it.CanonicalURL]; ok {
			it.ID = id
			out = append(out, it)
		}
	}
	return out, nil
}

func catalogSeen(ctx context.Context, tx *sql.Tx, id int64) (map[string]struct{}, error) {
	rows, err := tx.QueryContext(ctx, `SELECT canonical_url FROM catalog_items WHERE catalog_watch_id = $1`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]struct{}{}
	for rows.Next() {
		var u string
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		seen[u] = struct{}{}
	}
	return seen, rows.Err()
}

// RecordCatalogScanFailure records a failed scan: the error, one more
// consecutive failure, and when to try again (the caller's backoff).
func (s *Store) RecordCatalogScanFailure(ctx context.Context, id, at int64, msg string, nextScanAt int64) error {
	if err := execOne(ctx, s.db.Write, `UPDATE catalog_watches SET last_scan_at = $1, last_error = $2,
		consecutive_failures = consecutive_failures + 1, next_scan_at = $3, updated_at = $1 WHERE id = $4`,
		at, msg, nextScanAt, id); err != nil {
		return fmt.Errorf("record catalog scan failure %d: %w", id, err)
	}
	return nil
}

// ListCatalogItems returns a page of what the workspace's catalog watch has
// found, newest first; another workspace's catalog watch is ErrNotFound.
func (s *Store) ListCatalogItems(ctx context.Context, workspaceID, catalogID int64, f FindCatalogItems) ([]CatalogItem, error) {
	if _, err := s.GetCatalogWatch(ctx, workspaceID, catalogID); err != nil {
		return nil, fmt.Errorf("list catalog items: %w", err)
	}
	limit, after := pageBounds(f.Limit, f.AfterID)
	q := `SELECT id, catalog_watch_id, canonical_url, url, title, price_minor, currency, lastmod, matched,
		announced, event_id, first_seen_at FROM catalog_items WHERE catalog_watch_id = $1 AND id < $2`
	if f.AnnouncedOnly {
		q += ` AND announced`
	}
	rows, err := s.db.Read.QueryContext(ctx, q+` ORDER BY id DESC LIMIT $3`, catalogID, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list catalog items: %w", err)
	}
	defer rows.Close()
	out := []CatalogItem{}
	for rows.Next() {
		var it CatalogItem
		if err := rows.Scan(&it.ID, &it.CatalogWatchID, &it.CanonicalURL, &it.URL, &it.Title, &it.PriceMinor,
			&it.Currency, &it.Lastmod, &it.Matched, &it.Announced, &it.EventID, &it.FirstSeenAt); err != nil {
			return nil, fmt.Errorf("list catalog items: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list catalog items: %w", err)
	}
	return out, nil
}

// ListCatalogEvents returns a catalog watch's latest events, newest first
// (limit 0 → 50, capped at 1000).
func (s *Store) ListCatalogEvents(ctx context.Context, catalogID int64, limit int) ([]CatalogEvent, error) {
	switch {
	case limit <= 0:
		limit = 50
	case limit > 1000:
		limit = 1000
	}
	rows, err := s.db.Read.QueryContext(ctx, `SELECT id, catalog_watch_id, kind, data, at FROM events
		WHERE catalog_watch_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, catalogID, limit)
	if err != nil {
		return nil, fmt.Errorf("list catalog events: %w", err)
	}
	defer rows.Close()
	out := []CatalogEvent{}
	for rows.Next() {
		var e CatalogEvent
		if err := rows.Scan(&e.ID, &e.CatalogWatchID, &e.Kind, &e.Data, &e.At); err != nil {
			return nil, fmt.Errorf("list catalog events: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list catalog events: %w", err)
	}
	return out, nil
}
