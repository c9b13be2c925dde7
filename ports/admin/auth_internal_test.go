package admin

import (
	"testing"

	"github.com/matryer/is"
	"golang.org/x/crypto/bcrypt"
)

// TestDummyHashCostsWhatARealOneDoes: an unknown email must take as long as
// a known one, so the constant dummy hash has the real hashes' cost.
func TestDummyHashCostsWhatARealOneDoes(t *testing.T) {
	is := is.New(t)
	cost, err := bcrypt.Cost([]byte(dummyHash))
	is.NoErr(err)              // a well-formed bcrypt hash
	is.Equal(cost, bcryptCost) // of the same work factor
	is.NoErr(bcrypt.CompareHashAndPassword([]byte(dummyHash), []byte("no such account")))
	real, err := HashPassword("whatever")
	is.NoErr(err)
	realCost, err := bcrypt.Cost([]byte(real))
	is.NoErr(err)
	is.Equal(realCost, cost)
}
