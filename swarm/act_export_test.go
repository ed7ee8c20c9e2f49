package swarm

import (
	"context"

	"github.com/moby/moby/api/types/swarm"
)

// Internals the engine tests in package swarm_test reach through here: they
// cannot be in package swarm, because enginetest imports it.

// SetBeforeUpdateHook installs fn to run before every ServiceUpdate attempt
// until the returned function removes it.
func SetBeforeUpdateHook(fn func(serviceID string, attempt int)) (remove func()) {
	beforeUpdateHook.Store(&fn)
	return func() { beforeUpdateHook.Store(nil) }
}

// UpdateServiceForTest applies an arbitrary mutation as an image change.
func (e *Engine) UpdateServiceForTest(ctx context.Context, id string, mutate func(*swarm.ServiceSpec) error) (Change, error) {
	return e.updateService(ctx, id, mutate, describedBy(ActionImage, imageText))
}
