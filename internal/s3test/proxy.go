package s3test

import (
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what the Proxy does to one request.
type Fault int

// The faults a Proxy injects.
const (
	Pass      Fault = iota // forward unchanged
	Status500              // answer 500 InternalError without forwarding
	Status503              // answer 503 SlowDown without forwarding
	Reset                  // reset the connection before answering
	CutBody                // forward, then cut the connection halfway through the body
	Slow                   // wait Proxy.Delay before forwarding
)

// Proxy is a loopback HTTP proxy in front of a server that injects faults
// into the requests its Plan picks. The Host header is kept, so SigV4
// signatures made for the proxy's address stay valid.
type Proxy struct {
	// Endpoint is the proxy's base URL.
	Endpoint string
	// Delay is how long a Slow request waits.
	Delay time.Duration

	plan     func(n int64, r *http.Request) Fault
	count    atomic.Int64
	injected atomic.Int64
	rp       *httputil.ReverseProxy
	srv      *http.Server
}

// NewProxy starts a proxy to target for the test. plan is called with the
// request's number (from 0) and the request, and picks its fault.
func NewProxy(tb testing.TB, target string, plan func(n int64, r *http.Request) Fault) *Proxy {
	tb.Helper()
	u, err := url.Parse(target)
	if err != nil {
		tb.Fatalf("s3test: proxy target %s: %v", target, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("s3test: proxy listen: %v", err)
	}
	p := &Proxy{Endpoint: "http://" + l.Addr().String(), Delay: 5 * time.Second, plan: plan}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	p.srv = &http.Server{Handler: p}
	go p.srv.Serve(l)
	tb.Cleanup(func() { p.srv.Close() })
	return p
}

// Requests returns how many requests the proxy has seen.
func (p *Proxy) Requests() int64 { return p.count.Load() }

// Injected returns how many requests got a fault.
func (p *Proxy) Injected() int64 { return p.injected.Load() }

// ServeHTTP applies the planned fault to one request.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := p.count.Add(1) - 1
	f := Pass
	if p.plan != nil {
		f = p.plan(n, r)
	}
	if f != Pass {
		p.injected.Add(1)
	}
	switch f {
	case Status500:
		writeError(w, http.StatusInternalServerError, "InternalError", "injected by s3test.Proxy")
	case Status503:
		writeError(w, http.StatusServiceUnavailable, "SlowDown", "injected by s3test.Proxy")
	case Reset:
		resetConn(w)
	case CutBody:
		p.serveCut(w, r)
	case Slow:
		select {
		case <-time.After(p.Delay):
			p.rp.ServeHTTP(w, r)
		case <-r.Context().Done():
		}
	default:
		p.rp.ServeHTTP(w, r)
	}
}

// serveCut forwards the request and then resets the connection once half
// of the response body has gone through.
func (p *Proxy) serveCut(w http.ResponseWriter, r *http.Request) {
	resp, err := http.DefaultTransport.RoundTrip(p.outRequest(r))
	if err != nil {
		resetConn(w)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	half := resp.ContentLength / 2
	if half > 0 {
		io.CopyN(w, resp.Body, half)
	}
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	resetConn(w)
}

// outRequest is r as it goes to the server.
func (p *Proxy) outRequest(r *http.Request) *http.Request {
	out := r.Clone(r.Context())
	pr := &httputil.ProxyRequest{In: r, Out: out}
	p.rp.Rewrite(pr)
	out.RequestURI = ""
	return out
}

// resetConn hijacks the connection and closes it with SO_LINGER 0, so the
// client sees a TCP reset.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		if errors.Is(err, http.ErrHijacked) {
			return
		}
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// writeError answers as S3 does, with an XML error document.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>`+code+`</Code><Message>`+msg+`</Message></Error>`)
}
