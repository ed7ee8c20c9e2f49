package swarm

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// Labels `docker stack deploy` writes; swarmtop writes the same ones so the
// docker CLI keeps working on our stacks and we can operate the CLI's.
const (
	NamespaceLabel = "com.docker.stack.namespace"
	ImageLabel     = "com.docker.stack.image"
)

// FullName is the engine's name for a stack's service: shop + web → shop_web.
func FullName(stack, service string) string { return stack + "_" + service }

// ShortName strips the stack prefix: shop_web → web. Names from other stacks
// are returned unchanged.
func ShortName(stack, full string) string {
	return strings.TrimPrefix(full, stack+"_")
}

// stackFilter selects the objects of one stack by its namespace label.
func stackFilter(stack string) client.Filters {
	return make(client.Filters).Add("label", NamespaceLabel+"="+stack)
}

// StackServices lists a stack's services sorted by name, with running and
// desired counts filled in where the engine supports it.
func (e *Engine) StackServices(ctx context.Context, stack string) ([]swarm.Service, error) {
	services, err := e.listServices(ctx, stackFilter(stack), true)
	if err != nil {
		return nil, err
	}
	sort.Slice(services, func(i, j int) bool { return services[i].Spec.Name < services[j].Spec.Name })
	return services, nil
}

// ServiceNotFoundError says which name did not match and what the stack has.
type ServiceNotFoundError struct {
	Stack, Name string
	Known       []string
}

func (e *ServiceNotFoundError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("stack %q has no services (is it deployed?)", e.Stack)
	}
	known := slices.Sorted(slices.Values(e.Known)) // as status lists them
	return fmt.Sprintf("no service %q in stack %q (it has: %s)", e.Name, e.Stack, strings.Join(known, ", "))
}

// ExitCode marks an unknown service as bad input.
func (e *ServiceNotFoundError) ExitCode() int { return 2 }

// FindService resolves a short name (web) or a full one (shop_web) within a
// stack and returns the service as the engine stores it (no defaults
// inserted, so it can be written back unchanged).
func (e *Engine) FindService(ctx context.Context, stack, name string) (swarm.Service, error) {
	// Names are all it needs from the list, so no counts (they cost the
	// engine a pass over the tasks); the service itself is inspected.
	services, err := e.listServices(ctx, stackFilter(stack), false)
	if err != nil {
		return swarm.Service{}, err
	}
	known := make([]string, 0, len(services))
	for _, s := range services {
		if s.Spec.Name == name || s.Spec.Name == FullName(stack, name) {
			return e.inspectService(ctx, s.ID)
		}
		known = append(known, ShortName(stack, s.Spec.Name))
	}
	return swarm.Service{}, &ServiceNotFoundError{Stack: stack, Name: name, Known: known}
}

func (e *Engine) inspectService(ctx context.Context, id string) (swarm.Service, error) {
	res, err := e.api.ServiceInspect(ctx, id, client.ServiceInspectOptions{InsertDefaults: false})
	if err != nil {
		return swarm.Service{}, err
	}
	return res.Service, nil
}
