package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"

	"go.lsp.dev/jsonrpc2"
)

// frameReader is the raw-frame side of the library's header stream.
type frameReader interface {
	ReadFrame(ctx context.Context) ([]byte, int64, error)
}

// tolerantStream wraps the library's Content-Length stream so that a frame
// whose body is not a JSON-RPC message is answered with a ParseError or
// InvalidRequest response (id null) and skipped, instead of ending the
// connection: a client bug must not take the server down. A broken header
// (no Content-Length) still ends it: the framing is lost.
type tolerantStream struct {
	jsonrpc2.Stream
	frames frameReader
	log    func(format string, args ...any)
}

func newTolerantStream(s jsonrpc2.Stream, log func(string, ...any)) jsonrpc2.Stream {
	fr, ok := s.(frameReader)
	if !ok {
		return s
	}
	return &tolerantStream{Stream: s, frames: fr, log: log}
}

// Read implements jsonrpc2.Stream.
func (s *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	for {
		frame, n, err := s.frames.ReadFrame(ctx)
		if err != nil {
			return nil, n, err
		}
		msg, err := jsonrpc2.DecodeMessage(frame)
		if err == nil {
			return msg, n, nil
		}
		code, text := jsonrpc2.InvalidRequest, "invalid request"
		if errors.Is(err, jsonrpc2.ErrParse) || !json.Valid(frame) {
			code, text = jsonrpc2.ParseError, "parse error"
		}
		s.log("malformed message (%s): %.200s", text, bytes.TrimSpace(frame))
		resp := jsonrpc2.NewResponse(jsonrpc2.ID{}, nil, jsonrpc2.NewError(code, text+": "+err.Error()))
		if _, werr := s.Write(ctx, resp); werr != nil {
			return nil, 0, werr
		}
	}
}

// stdCodec marshals payloads with encoding/json, whose omitempty and nil
// handling the protocol structures are written for.
type stdCodec struct{}

func (stdCodec) Marshal(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return []byte("null"), nil
	case jsonrpc2.RawMessage:
		if x == nil {
			return []byte("null"), nil
		}
		return x, nil
	case json.RawMessage:
		if x == nil {
			return []byte("null"), nil
		}
		return x, nil
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

func (stdCodec) Unmarshal(data []byte, v any) error {
	switch p := v.(type) {
	case *jsonrpc2.RawMessage:
		*p = append(jsonrpc2.RawMessage(nil), data...)
		return nil
	case *json.RawMessage:
		*p = append(json.RawMessage(nil), data...)
		return nil
	}
	return json.Unmarshal(data, v)
}
