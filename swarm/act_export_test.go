package swarm

import (
	"context"
	"sync"

	"github.com/moby/moby/api/types/swarm"
)

// Internals the engine tests in package swarm_test reach through here: they
// cannot be in package swarm, because enginetest imports it.

// updateHooks are the hooks of SetBeforeUpdateHook: service ID → hook.
var (
	updateHooks   sync.Map
	dispatchHooks sync.Once
)

// SetBeforeUpdateHook installs fn to run before every ServiceUpdate attempt
// on the service until the returned function removes it. Hooks are kept per
// service, so parallel tests do not remove each other's.
func SetBeforeUpdateHook(serviceID string, fn func(attempt int)) (remove func()) {
	dispatchHooks.Do(func() {
		dispatch := func(id string, attempt int) {
			if hook, ok := updateHooks.Load(id); ok {
				hook.(func(int))(attempt)
			}
		}
		beforeUpdateHook.Store(&dispatch)
	})
	updateHooks.Store(serviceID, fn)
	return func() { updateHooks.Delete(serviceID) }
}

// UpdateServiceForTest applies an arbitrary mutation as an image change.
func (e *Engine) UpdateServiceForTest(ctx context.Context, id string, mutate func(*swarm.ServiceSpec) error) (Change, error) {
	return e.updateService(ctx, id, mutate, describedBy(ActionImage, imageText))
}
