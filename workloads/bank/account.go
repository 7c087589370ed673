package bank

import (
	"fmt"

	"github.com/dflab/dflab/engine/durable"
)

// AccountEntity is the registered entity name.
const AccountEntity = "Account"

// Account operations.
const (
	OpGet    = "get"    // returns the balance (int64)
	OpAdd    = "add"    // input AddInput: applies one transfer's amount
	OpDelete = "delete" // forgets the account
)

// Applied is one transfer applied to an account.
type Applied struct {
	Transfer string `json:"t"`
	Amount   int64  `json:"a"`
}

// AccountState is an account's durable state.
type AccountState struct {
	Balance int64     `json:"balance"`
	Applied []Applied `json:"applied,omitempty"`
}

// AddInput is the input of OpAdd.
type AddInput struct {
	Transfer string `json:"transfer"`
	Amount   int64  `json:"amount"`
}

// account returns the Account entity function; accounts without state
// start at initial.
func account(initial int64) durable.Entity {
	return func(ctx *durable.EntityContext) error {
		st := AccountState{Balance: initial}
		if err := ctx.GetState(&st); err != nil {
			return fmt.Errorf("account %s state: %w", ctx.ID(), err)
		}
		switch ctx.Operation() {
		case OpGet:
			return ctx.Return(st.Balance)
		case OpAdd:
			var in AddInput
			if err := ctx.GetInput(&in); err != nil {
				return fmt.Errorf("account %s add: %w", ctx.ID(), err)
			}
			st.Balance += in.Amount
			st.Applied = append(st.Applied, Applied(in))
			return ctx.SetState(st)
		case OpDelete:
			ctx.DeleteState()
			return nil
		}
		return fmt.Errorf("account %s: unknown operation %q (known: %s, %s, %s)", ctx.ID(), ctx.Operation(), OpGet, OpAdd, OpDelete)
	}
}
