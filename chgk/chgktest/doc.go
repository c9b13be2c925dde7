// Package chgktest helps test code built on package chgk: an in-memory
// store that implements every storage interface of chgk, a clock that moves
// only when told, a predictable source of randomness, and StoreContract, the
// suite every store implementation must pass.
package chgktest
