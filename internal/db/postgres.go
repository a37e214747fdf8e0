package db

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// schemaRE is what River accepts as a schema name, and what we are willing to
// splice into SQL as an identifier.
var schemaRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

func openPostgres(ctx context.Context, o Options) (*DB, error) {
	poolCfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadURL, err)
	}
	connCfg := poolCfg.ConnConfig
	schema, err := searchPathSchema(connCfg.RuntimeParams["search_path"])
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect to PostgreSQL: %w", err)
	}
	// database/sql for the store and River's pgx driver share one pool.
	sqldb := stdlib.OpenDBFromPool(pool)
	d := &DB{Engine: Postgres, Write: sqldb, Read: sqldb, Pool: pool, Schema: schema, logger: o.Logger}
	if err := d.Ping(ctx); err != nil {
		_ = d.Close()
		return nil, err
	}
	o.Logger.Debug("database opened", "engine", Postgres, "host", connCfg.Host, "database", connCfg.Database, "schema", schema)
	return d, nil
}

// searchPathSchema returns the first schema of a search_path setting.
func searchPathSchema(sp string) (string, error) {
	first, _, _ := strings.Cut(sp, ",")
	first = strings.TrimSpace(first)
	if first == "" {
		return "", nil
	}
	if !schemaRE.MatchString(first) {
		return "", fmt.Errorf("%w: search_path schema %q: use letters, digits and underscores", ErrBadURL, first)
	}
	return first, nil
}
