package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// readBody reads the whole request body, up to the server's limit. Reading
// it to the end also lets net/http notice a client that disconnects while
// the request runs, which cancels the request's context.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *apiError) {
	return readBodyUpTo(w, r, s.cfg.MaxBody)
}

// readBodyUpTo reads the whole request body, up to limit bytes. A body that
// does not arrive within Config.BodyTimeout (see bodyDeadline) gets 408.
func readBodyUpTo(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, *apiError) {
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var tooBig *http.MaxBytesError
	var late *bodyTimeoutError
	switch {
	case errors.As(err, &tooBig):
		return nil, tooLarge(limit)
	case errors.As(err, &late):
		return nil, errorf(http.StatusRequestTimeout, CodeRequestTimeout,
			"the request body did not arrive within %v (%d bytes came in that time); send the whole body at once", late.after, len(body))
	case err != nil:
		return nil, badRequest("reading the request body: %v", err)
	}
	return body, nil
}

func tooLarge(limit int64) *apiError {
	return errorf(http.StatusRequestEntityTooLarge, CodePayloadTooLarge, "request body is larger than the %d-byte limit", limit)
}

// decodeJSON reads the body into v strictly: one JSON object, no unknown
// fields, nothing after it.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) *apiError {
	body, e := s.readBody(w, r)
	if e != nil {
		return e
	}
	return decodeObject(body, v, true)
}

// decodeBridgeJSON reads the body into v as decodeJSON does, except that
// fields v does not have are ignored, as the bridge ignores them.
func (s *Server) decodeBridgeJSON(w http.ResponseWriter, r *http.Request, v any) *apiError {
	body, e := s.readBody(w, r)
	if e != nil {
		return e
	}
	return decodeObject(body, v, false)
}

// decodeObject decodes body, one JSON object with nothing after it, into
// v; strict refuses fields v does not have.
func decodeObject(body []byte, v any, strict bool) *apiError {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("the request body is empty: want a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return badRequest("invalid JSON body: %s", describeJSONError(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("invalid JSON body: unexpected data after the JSON object")
	}
	return nil
}

// describeJSONError turns a decoding error into a message that names the
// field or the position.
func describeJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("%v (at byte %d)", syn, syn.Offset)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Sprintf("field %q must be %s, not a JSON %s", typ.Field, jsonTypeName(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &typ):
		return fmt.Sprintf("want a JSON object, not a JSON %s", typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of the JSON input"
	}
	// Unknown fields: `json: unknown field "x"`.
	return err.Error()
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	case "bool":
		return "a boolean"
	case "ptr":
		return "a value of another type"
	}
	return "a number"
}
