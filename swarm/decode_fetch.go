package swarm

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"runtime"
	"strings"
	"sync"
	"time"
	"weak"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errhttp"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// The read path's list calls. The moby client has no call that returns a
// list's raw JSON, so these send the same GET it would, over the client's
// own dialer (unix socket, TCP with TLS, ssh or another custom dialer) with
// the negotiated API version, and hand the body to decode.go. They are
// reads, so the read-only guard's request hook, which they bypass, has
// nothing to refuse in them.

// listServices lists services, with running and desired counts when
// status is set (the engine leaves them out otherwise).
func (e *Engine) listServices(ctx context.Context, filters client.Filters, status bool) ([]swarm.Service, error) {
	query := url.Values{}
	if status {
		query.Set("status", "true")
	}
	return getList(ctx, e, "/services", filters, query, decodeServices)
}

// listTasks lists tasks with only the fields the read model uses (see
// decodeTasks).
func (e *Engine) listTasks(ctx context.Context, filters client.Filters) ([]swarm.Task, error) {
	return getList(ctx, e, "/tasks", filters, url.Values{}, decodeTasks)
}

// listNodes lists the swarm's nodes.
func (e *Engine) listNodes(ctx context.Context) ([]swarm.Node, error) {
	return getList(ctx, e, "/nodes", nil, url.Values{}, decodeNodes)
}

// getList GETs a list endpoint and decodes the body with decode.
func getList[T any](ctx context.Context, e *Engine, endpoint string, filters client.Filters, query url.Values, decode func([]byte) (T, error)) (T, error) {
	var zero T
	if len(filters) > 0 {
		f, err := json.Marshal(filters)
		if err != nil {
			return zero, err
		}
		query.Set("filters", string(f))
	}
	req, err := e.listRequest(ctx, endpoint, query)
	if err != nil {
		return zero, err
	}
	if e.guard.readOnly { // this client has no request hook: the same check, here
		if err := refuseMutatingRequest(req); err != nil {
			return zero, err
		}
	}
	resp, err := listClient(e.api).Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return zero, ctx.Err()
		}
		var ue *url.Error // drop "Get <url>:" as the moby client does
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return zero, fmt.Errorf("cannot connect to the Docker engine at %s: %w", cmp.Or(e.Host, e.api.DaemonHost()), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return zero, responseError(resp)
	}
	// The whole body, then one decoding: goccy/go-json's stream decoder
	// would need less memory but twice the time. A pool of body buffers
	// would save allocations but, keeping 15 MB buffers alive, raise the
	// peak heap.
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return zero, err
	}
	return decode(body)
}

// listClients holds an HTTP client per engine client, so list calls reuse
// their connections as the moby client's own calls do: over ssh a new
// connection is a new process and handshake.
var listClients sync.Map // weak.Pointer[client.Client] → *http.Client

// listClient returns api's HTTP client for list calls, made on first use.
// It dials with api's dialer but holds api only weakly, and goes, idle
// connections closed, when api is collected. It always dials the engine
// itself: an HTTP proxy from the environment, which the moby client uses
// for tcp:// hosts, is not used.
func listClient(api *client.Client) *http.Client {
	key := weak.Make(api)
	if hc, ok := listClients.Load(key); ok {
		return hc.(*http.Client)
	}
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			api := key.Value()
			if api == nil {
				return nil, net.ErrClosed
			}
			return api.Dialer()(ctx)
		},
		MaxIdleConnsPerHost: 3,                // ReadStack's three calls run at once
		IdleConnTimeout:     30 * time.Second, // Engine.Close cannot close these
	}}
	if actual, loaded := listClients.LoadOrStore(key, hc); loaded {
		return actual.(*http.Client)
	}
	runtime.AddCleanup(api, func(key weak.Pointer[client.Client]) {
		if hc, ok := listClients.LoadAndDelete(key); ok {
			hc.(*http.Client).CloseIdleConnections()
		}
	}, key)
	return hc
}

// listRequest builds the request the moby client would send: versioned
// path under the host's base path, the dummy host name on a local socket.
func (e *Engine) listRequest(ctx context.Context, endpoint string, query url.Values) (*http.Request, error) {
	host, err := client.ParseHostURL(e.api.DaemonHost())
	if err != nil {
		return nil, err
	}
	p := host.Path
	if v := e.api.ClientVersion(); v != "" {
		p = path.Join(p, "/v"+strings.TrimPrefix(v, "v"))
	}
	u := url.URL{Scheme: "http", Host: client.DummyHost, Path: path.Join(p, endpoint), RawQuery: query.Encode()}
	if host.Scheme == "tcp" {
		u.Host = host.Host
	}
	return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
}

// daemonError is an error the engine answered with, worded and classified
// as the moby client does ("Error response from daemon: …", errdefs kinds
// by status code), so callers cannot tell the two paths apart.
type daemonError struct {
	msg  string
	kind error
}

func (e *daemonError) Error() string        { return "Error response from daemon: " + e.msg }
func (e *daemonError) Is(target error) bool { return errors.Is(e.kind, target) }

func responseError(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	msg := strings.TrimSpace(string(body))
	var parsed struct{ Message string }
	if json.Unmarshal(body, &parsed) == nil && parsed.Message != "" {
		msg = strings.TrimSpace(parsed.Message)
	}
	if msg == "" {
		msg = fmt.Sprintf("API returned a %d (%s) but provided no error-message", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	kind := errhttp.ToNative(resp.StatusCode)
	switch {
	case kind != nil:
	case resp.StatusCode < 500:
		kind = cerrdefs.ErrInvalidArgument
	default:
		kind = cerrdefs.ErrInternal
	}
	return &daemonError{msg: msg, kind: kind}
}
