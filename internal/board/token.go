package board

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Tokens makes and checks the board's access tokens: the instructor's
// (random, for a board not bound to loopback) and one per seat, which
// names its seat and expiry and is signed with a key the board made at
// start (so a seat's link lasts as long as the board and the class).
type Tokens struct {
	key        []byte
	Instructor string
}

// NewTokens makes a fresh key and, when asked, an instructor token.
func NewTokens(instructor bool) (*Tokens, error) {
	t := &Tokens{key: make([]byte, 32)}
	if _, err := rand.Read(t.key); err != nil {
		return nil, fmt.Errorf("board key: %w", err)
	}
	if instructor {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("board token: %w", err)
		}
		t.Instructor = base64.RawURLEncoding.EncodeToString(b)
	}
	return t, nil
}

// Seat is seat's token, valid until expires.
func (t *Tokens) Seat(seat string, expires time.Time) string {
	payload := base64.RawURLEncoding.EncodeToString([]byte(seat)) + "." + strconv.FormatInt(expires.Unix(), 10)
	return payload + "." + t.sign(payload)
}

func (t *Tokens) sign(payload string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(payload))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// Errors of a refused token.
var (
	ErrBadToken     = errors.New("the access token is not valid for this board")
	ErrExpiredToken = errors.New("the access token has expired")
	ErrOtherSeat    = errors.New("the access token is another seat's")
)

// Access is what a request may see: the whole class, or one seat.
type Access struct {
	All  bool
	Seat string
}

// Check says what token opens: seat's row (or, with seat "", the whole
// board). needInstructor is set when the board requires a token for the
// whole class (not bound to loopback).
func (t *Tokens) Check(token, seat string, needInstructor bool, now time.Time) (Access, error) {
	if t.Instructor != "" && subtle.ConstantTimeCompare([]byte(token), []byte(t.Instructor)) == 1 {
		return Access{All: true, Seat: seat}, nil
	}
	if token == "" {
		if seat == "" && !needInstructor {
			return Access{All: true}, nil
		}
		return Access{}, ErrBadToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Access{}, ErrBadToken
	}
	payload := parts[0] + "." + parts[1]
	if subtle.ConstantTimeCompare([]byte(t.sign(payload)), []byte(parts[2])) != 1 {
		return Access{}, ErrBadToken
	}
	name, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return Access{}, ErrBadToken
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return Access{}, ErrBadToken
	}
	if now.Unix() > exp {
		return Access{}, ErrExpiredToken
	}
	if seat != string(name) {
		return Access{}, ErrOtherSeat
	}
	return Access{Seat: seat}, nil
}
