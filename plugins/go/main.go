// The example plugin in Go: newline-delimited JSON-RPC 2.0 on stdin/stdout,
// one log line on stderr.
//
// It is built as a WASI reactor (see build.sh): GOOS=wasip1 GOARCH=wasm
// go build -buildmode=c-shared. The module then exports `_initialize`,
// which starts the Go runtime and runs the package initialisers, and
// `plugin_main` (below), which serves the requests. A host that
// pre-initialises plugins (wasmi-hdk by default) runs `_initialize` once at
// load and starts every request from a snapshot of the runtime it left, so
// a request pays only for its own work. Built as a command instead (without
// -buildmode=c-shared), `main` serves the requests in the same way.
//
// Because of that snapshot, whatever the package initialisers compute is
// shared by every request, and so is the runtime's random state: map
// iteration order, hash seeds and the global generators of math/rand and
// math/rand/v2 are the same in every request. Draw per-request randomness
// from crypto/rand, which asks the host each time.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

const maxLimit = 10_000_000

// message is any line either side sends; raw members keep their exact text.
type message struct {
	ID     json.RawMessage `json:"id,omitempty"`
	Method *string         `json:"method,omitempty"`
	Params json.RawMessage `json:"params,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	Error  json.RawMessage `json:"error,omitempty"`
}

type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return e.Message }

func invalidParams(msg string) error { return &rpcError{-32602, msg} }

var (
	stdin            = bufio.NewReaderSize(os.Stdin, 64*1024)
	nextHostID int64 = 1
	// Where answers and the log go: stdout and stderr, except while warmUp
	// runs.
	stdout io.Writer = os.Stdout
	stderr io.Writer = os.Stderr
)

// readLine returns the next line without "\n" or "\r\n"; io.EOF at the end.
func readLine() ([]byte, error) {
	line, err := stdin.ReadBytes('\n')
	if err == io.EOF && len(line) > 0 {
		err = nil // a last line without "\n"
	}
	return bytes.TrimRight(line, "\r\n"), err
}

// send writes one message as one line; os.Stdout is unbuffered, so it is flushed.
func send(v any) {
	line, _ := json.Marshal(v)
	stdout.Write(append(line, '\n'))
}

// The two shapes of a response; structs, not maps, as encoding/json
// encodes them faster.
type resultResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  any             `json:"result"`
}

type errorResponse struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Error   *rpcError       `json:"error"`
}

func reply(id json.RawMessage, result any, err error) {
	var rpcErr *rpcError
	switch {
	case errors.As(err, &rpcErr):
		send(errorResponse{"2.0", id, rpcErr})
	case err != nil:
		send(errorResponse{"2.0", id, &rpcError{-32603, err.Error()}})
	default:
		send(resultResponse{"2.0", id, result})
	}
}

func add(params json.RawMessage) (any, error) {
	var obj struct{ A, B *int64 }
	var arr []int64
	var a, b int64
	if json.Unmarshal(params, &obj) == nil && obj.A != nil && obj.B != nil {
		a, b = *obj.A, *obj.B
	} else if json.Unmarshal(params, &arr) == nil && len(arr) == 2 {
		a, b = arr[0], arr[1]
	} else {
		return nil, invalidParams("add takes {a, b} or [a, b] (integers)")
	}
	sum := a + b
	if (a^sum)&(b^sum) < 0 {
		return nil, invalidParams("add: the sum overflows")
	}
	return sum, nil
}

func sieve(params json.RawMessage) (any, error) {
	var arr []int64
	var obj struct{ Limit *int64 }
	var limit int64 = -1
	if json.Unmarshal(params, &arr) == nil && len(arr) == 1 {
		limit = arr[0]
	} else if json.Unmarshal(params, &obj) == nil && obj.Limit != nil {
		limit = *obj.Limit
	}
	if limit < 0 || limit > maxLimit {
		return nil, invalidParams("sieve takes [limit] with 0 <= limit <= 10000000")
	}
	composite := make([]byte, limit+1)
	for i := int64(2); i*i <= limit; i++ {
		if composite[i] == 0 {
			for j := i * i; j <= limit; j += i {
				composite[j] = 1
			}
		}
	}
	primes := 0
	for i := int64(2); i <= limit; i++ {
		if composite[i] == 0 {
			primes++
		}
	}
	return primes, nil
}

// echoHost calls host.echo with our own id and answers with the host's answer.
func echoHost(params json.RawMessage) (any, error) {
	var arr []json.RawMessage
	if json.Unmarshal(params, &arr) != nil || len(arr) != 1 {
		return nil, invalidParams("echo_host takes [x]")
	}
	own := nextHostID
	nextHostID++
	send(map[string]any{"jsonrpc": "2.0", "id": own, "method": "host.echo", "params": params})
	for {
		line, err := readLine()
		if err != nil {
			return nil, errors.New("the host did not answer host.echo")
		}
		var msg message
		var id int64
		if json.Unmarshal(line, &msg) != nil || json.Unmarshal(msg.ID, &id) != nil || id != own {
			continue // not the answer to our request
		}
		if msg.Error != nil {
			var e rpcError
			json.Unmarshal(msg.Error, &e)
			return nil, &e
		}
		if msg.Result == nil {
			return nil, nil
		}
		return msg.Result, nil
	}
}

func handle(method string, params json.RawMessage) (any, error) {
	switch method {
	case "ping":
		fmt.Fprintln(stderr, "INFO go_plugin: ping")
		return "pong", nil
	case "echo":
		if params == nil {
			return nil, nil
		}
		return params, nil
	case "add":
		return add(params)
	case "sieve":
		return sieve(params)
	case "echo_host":
		return echoHost(params)
	default:
		return nil, &rpcError{-32601, "method not found: " + method}
	}
}

// pluginMain is the reactor's per-request entry point: what `_start` is to
// a command (PROTOCOL.md).
//
//go:wasmexport plugin_main
func pluginMain() {
	serve()
}

// main serves requests when the plugin is built as a command; a reactor
// never runs it.
func main() {
	serve()
}

// serve answers requests read from stdin until EOF.
func serve() {
	for {
		line, err := readLine()
		if err != nil {
			return
		}
		serveLine(line)
	}
}

// serveLine answers one line of input, if it needs an answer.
func serveLine(line []byte) {
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	var msg message
	if err := json.Unmarshal(line, &msg); err != nil {
		reply(json.RawMessage("null"), nil, &rpcError{-32700, "parse error"})
		return
	}
	if msg.Method == nil {
		// A stray response is ignored; anything else is not a request.
		if msg.Result == nil && msg.Error == nil {
			reply(json.RawMessage("null"), nil, &rpcError{-32600, "invalid request"})
		}
		return
	}
	if msg.ID == nil {
		return // notifications get no answer
	}
	result, err := handle(*msg.Method, msg.Params)
	reply(msg.ID, result, err)
}

// warmUp answers a few requests of each kind, with the answers and the log
// thrown away, when the package is initialised. encoding/json builds its
// per-type encoders and decoders on first use; built here, they are part
// of the snapshot a pre-initialising host takes after `_initialize`,
// instead of being built again by every request. (echo_host is left out:
// it would call the host, which is not there yet.)
func warmUp() {
	stdout, stderr = io.Discard, io.Discard
	defer func() { stdout, stderr = os.Stdout, os.Stderr }()
	for _, line := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"ping"}`,
		`{"jsonrpc":"2.0","id":"a","method":"echo","params":{"k":[1,2.5,"x",true,null]}}`,
		`{"jsonrpc":"2.0","id":2,"method":"add","params":{"a":1,"b":2}}`,
		`{"jsonrpc":"2.0","id":3,"method":"add","params":[1,2]}`,
		`{"jsonrpc":"2.0","id":4,"method":"add","params":["x"]}`,
		`{"jsonrpc":"2.0","id":5,"method":"sieve","params":[10]}`,
		`{"jsonrpc":"2.0","id":6,"method":"sieve","params":{"limit":10}}`,
		`{"jsonrpc":"2.0","id":7,"method":"echo_host","params":"x"}`,
		`{"jsonrpc":"2.0","id":8,"method":"nope"}`,
		`{"jsonrpc":"2.0","id":9,"error":{"code":1,"message":"m"}}`,
		`{"jsonrpc":"2.0","method":"ping"}`,
		`not json`,
	} {
		serveLine([]byte(line))
	}
	var answer message
	var id int64
	var e rpcError
	json.Unmarshal([]byte(`{"jsonrpc":"2.0","id":1,"result":[5]}`), &answer)
	json.Unmarshal(answer.ID, &id)
	json.Unmarshal([]byte(`{"code":1,"message":"m"}`), &e)
}

func init() {
	warmUp()
}
