// yaml-oracle prints, for every document of a manifest stream, the JSON object the Kubernetes
// API server receives from `kubectl apply -f FILE`, decoded with the real libraries: the
// stream is split the way kubectl (k8s.io/apimachinery/pkg/util/yaml) splits it, each
// document goes through sigs.k8s.io/yaml's YAMLToJSON (go-yaml v2, YAML 1.1), and the result
// through the number handling of kubectl's unstructured decoding (int64 when the number is an
// integer in range, float64 otherwise) before it is encoded again.
//
// It exists to check psslint's decoder against the reference (tests/oracle.rs). Build it with
// tools/yaml-oracle/build.sh (Debian: golang-go golang-gopkg-yaml.v2-dev
// golang-k8s-sigs-yaml-dev; no network).
//
// Usage: yaml-oracle FILE... (or `-` for standard input). Output: one JSON line per document,
//
//	{"file":F,"doc":N,"line":L,"json":TEXT}          the object, in canonical form (below)
//	{"file":F,"doc":N,"line":L,"error":MSG}          YAMLToJSON (or the JSON decoder) failed
//	{"file":F,"line":L,"separator_error":MSG}        kubectl rejects the stream at this line
//
// Records of a stream read as JSON values (it starts with `{`) have "json_stream": true;
// kubectl stops at the first error of such a stream.
// plus, on document lines, "strict_error" (YAMLToJSONStrict's complaint, e.g. a duplicate
// key) and "ambiguous_keys" (distinct YAML keys that become the same JSON key, such as `1` and
// `"1"`: which value survives depends on Go's map order, so the outcome is undefined).
// Documents kubectl skips (empty, comments only, `null`) are not printed; N counts the
// printed ones from 0 and L is the 1-based line of the document's first line in the file.
//
// Canonical form: no whitespace; object keys sorted by bytes; strings with `"`, `\` and
// every character below U+0020 escaped (`\"`, `\\`, `\u00XX`) and everything else as UTF-8;
// integers in decimal; other numbers as Go's encoding/json writes a float64.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"

	goyaml "gopkg.in/yaml.v2"
	"sigs.k8s.io/yaml"
)

type record struct {
	File           string   `json:"file"`
	Doc            *int     `json:"doc,omitempty"`
	Line           int      `json:"line"`
	JSON           *string  `json:"json,omitempty"`
	Error          string   `json:"error,omitempty"`
	StrictError    string   `json:"strict_error,omitempty"`
	AmbiguousKeys  []string `json:"ambiguous_keys,omitempty"`
	SeparatorError string   `json:"separator_error,omitempty"`
	JSONStream     bool     `json:"json_stream,omitempty"`
}

func main() {
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	status := 0
	for _, name := range os.Args[1:] {
		var data []byte
		var err error
		if name == "-" {
			data, err = io.ReadAll(os.Stdin)
		} else {
			data, err = os.ReadFile(name)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			status = 2
			continue
		}
		for _, r := range decodeStream(name, data) {
			if err := enc.Encode(r); err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
		}
	}
	out.Flush()
	os.Exit(status)
}

// decodeStream splits like kubectl's YAMLOrJSONDecoder: a stream whose first non-space
// character is `{` is a sequence of JSON values, anything else YAML documents.
func decodeStream(file string, data []byte) []record {
	peek := data
	if len(peek) > 4096 {
		peek = peek[:4096]
	}
	if bytes.HasPrefix(bytes.TrimLeftFunc(peek, unicode.IsSpace), []byte("{")) {
		return decodeJSONStream(file, data)
	}
	var records []record
	n := 0
	for _, c := range splitYAML(data) {
		if c.separatorError != "" {
			records = append(records, record{File: file, Line: c.line, SeparatorError: c.separatorError})
			continue
		}
		r, ok := decodeYAMLDoc(c.text)
		if !ok {
			continue
		}
		doc := n
		n++
		r.File, r.Doc, r.Line = file, &doc, c.line
		records = append(records, r)
	}
	return records
}

type chunk struct {
	text           []byte
	line           int
	separatorError string
}

// splitYAML is apimachinery's YAMLReader over its LineReader (bufio ReadLine: line ends, `\n`
// or `\r\n`, become `\n`). Where kubectl stops at an invalid separator, this reports it and
// goes on as if it were a valid one, as psslint does, so the documents after it are compared.
func splitYAML(data []byte) []chunk {
	reader := bufio.NewReaderSize(bytes.NewReader(data), 4096)
	var chunks []chunk
	var buffer bytes.Buffer
	lineNo := 0
	start := 1
	for {
		line, err := readLine(reader)
		lineNo++
		if err != nil && err != io.EOF {
			panic(err)
		}
		if bytes.HasPrefix(line, []byte("---")) {
			trimmed := strings.TrimSpace(string(line[3:]))
			if len(trimmed) > 0 && trimmed[0] != '#' {
				chunks = append(chunks, chunk{line: lineNo, separatorError: "invalid Yaml document separator: " + trimmed})
			}
			if buffer.Len() != 0 {
				chunks = append(chunks, chunk{text: append([]byte(nil), buffer.Bytes()...), line: start})
				buffer.Reset()
			}
			start = lineNo + 1
			if err == io.EOF {
				return chunks
			}
			continue
		}
		if err == io.EOF {
			if buffer.Len() != 0 {
				chunks = append(chunks, chunk{text: append([]byte(nil), buffer.Bytes()...), line: start})
			}
			return chunks
		}
		buffer.Write(line)
	}
}

// readLine is apimachinery's LineReader.Read.
func readLine(r *bufio.Reader) ([]byte, error) {
	var buffer bytes.Buffer
	isPrefix := true
	var err error
	for isPrefix && err == nil {
		var line []byte
		line, isPrefix, err = r.ReadLine()
		buffer.Write(line)
	}
	buffer.WriteByte('\n')
	return buffer.Bytes(), err
}

// decodeYAMLDoc is what kubectl does with one YAML document: YAMLToJSON, skip `null`, then the
// unstructured decoding. ok is false for a document kubectl skips.
func decodeYAMLDoc(text []byte) (record, bool) {
	var r record
	j, err := yaml.YAMLToJSON(text)
	if err != nil {
		r.Error = err.Error()
		return r, true
	}
	if t := bytes.TrimSpace(j); len(t) == 0 || bytes.Equal(t, []byte("null")) {
		return r, false
	}
	canon, err := canonical(j)
	if err != nil {
		r.Error = err.Error()
		return r, true
	}
	r.JSON = &canon
	if _, err := yaml.YAMLToJSONStrict(text); err != nil {
		r.StrictError = err.Error()
	}
	var obj interface{}
	if err := goyaml.Unmarshal(text, &obj); err == nil {
		r.AmbiguousKeys = collisions(obj, nil)
	}
	return r, true
}

// decodeJSONStream reads successive JSON values as kubectl's JSON decoder does.
func decodeJSONStream(file string, data []byte) []record {
	dec := json.NewDecoder(bytes.NewReader(data))
	var records []record
	n := 0
	for {
		offset := dec.InputOffset()
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if err == io.EOF {
			return records
		}
		// The value starts after the whitespace that precedes it.
		rest := data[offset:]
		skipped := len(rest) - len(bytes.TrimLeftFunc(rest, unicode.IsSpace))
		// (The first value's document starts at line 1, as psslint counts it.)
		line := 1
		if offset > 0 {
			line += bytes.Count(data[:int(offset)+skipped], []byte("\n"))
		}
		doc := n
		r := record{File: file, Doc: &doc, Line: line, JSONStream: true}
		if err != nil {
			r.Error = err.Error()
			n++
			return append(records, r)
		}
		if t := bytes.TrimSpace(raw); bytes.Equal(t, []byte("null")) {
			continue
		}
		n++
		canon, err := canonical(raw)
		if err != nil {
			r.Error = err.Error()
		} else {
			r.JSON = &canon
		}
		records = append(records, r)
	}
}

// canonical decodes JSON as kubectl's unstructured decoding does (numbers: int64 when
// ParseInt accepts them, else float64) and writes it in canonical form.
func canonical(j []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var v interface{}
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	var b strings.Builder
	if err := write(&b, v); err != nil {
		return "", err
	}
	return b.String(), nil
}

func write(b *strings.Builder, v interface{}) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case json.Number:
		if i, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			b.WriteString(strconv.FormatInt(i, 10))
			return nil
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("number %s: %v", v, err)
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return fmt.Errorf("number %s is out of range", v)
		}
		text, err := json.Marshal(f)
		if err != nil {
			return err
		}
		b.Write(text)
	case string:
		writeString(b, v)
	case []interface{}:
		b.WriteByte('[')
		for i, item := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := write(b, item); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]interface{}:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := write(b, v[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unexpected JSON value %T", v)
	}
	return nil
}

func writeString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r < 0x20:
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// collisions lists the JSON keys that two distinct YAML keys of one mapping convert to
// (sigs.k8s.io/yaml's key conversion), at any depth.
func collisions(v interface{}, found []string) []string {
	switch v := v.(type) {
	case map[interface{}]interface{}:
		seen := map[string]bool{}
		for k, item := range v {
			if s, ok := keyString(k); ok {
				if seen[s] {
					found = append(found, s)
				}
				seen[s] = true
			}
			found = collisions(item, found)
		}
	case []interface{}:
		for _, item := range v {
			found = collisions(item, found)
		}
	}
	sort.Strings(found)
	return found
}

func keyString(k interface{}) (string, bool) {
	switch k := k.(type) {
	case string:
		return k, true
	case int:
		return strconv.Itoa(k), true
	case int64:
		return strconv.FormatInt(k, 10), true
	case float64:
		s := strconv.FormatFloat(k, 'g', -1, 32)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		return s, true
	case bool:
		return strconv.FormatBool(k), true
	}
	return "", false
}
