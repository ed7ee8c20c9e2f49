package swarm

import (
	"cmp"
	"os"
	"path"
	"slices"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/swarm"
)

// mounts converts volumes: entries in file order (stack-deploy.md §2.4).
// Named volumes get the stack's name and labels; the engine creates them
// on each node when a task starts there.
func (c *converter) mounts(cs *swarm.ContainerSpec) error {
	for i, v := range c.svc.Volumes {
		m, err := c.mount(v)
		if err != nil {
			return err
		}
		if m.Target == "" {
			return c.fail("volumes", "entry %d has no target", i+1)
		}
		cs.Mounts = append(cs.Mounts, m)
	}
	return nil
}

func (c *converter) mount(v types.ServiceVolumeConfig) (mount.Mount, error) {
	m := mount.Mount{
		Type:        mount.Type(v.Type),
		Source:      v.Source,
		Target:      v.Target,
		ReadOnly:    v.ReadOnly,
		Consistency: mount.Consistency(v.Consistency),
	}
	if err := c.checkMountOptions(v); err != nil {
		return mount.Mount{}, err
	}
	switch v.Type {
	case types.VolumeTypeVolume:
		return c.volumeMount(v, m)
	case types.VolumeTypeBind:
		return c.bindMount(v, m)
	case types.VolumeTypeTmpfs:
		if v.Source != "" {
			return mount.Mount{}, c.fail("volumes", "tmpfs mount %s cannot have a source", v.Target)
		}
		if v.Tmpfs != nil {
			m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(v.Tmpfs.Size), Mode: os.FileMode(v.Tmpfs.Mode)}
		}
		return m, nil
	case types.VolumeTypeNamedPipe:
		return m, nil
	case types.VolumeTypeImage:
		if err := c.needs("volumes", "1.48"); err != nil {
			return mount.Mount{}, err
		}
		if v.Image != nil && v.Image.SubPath != "" {
			m.ImageOptions = &mount.ImageOptions{Subpath: v.Image.SubPath}
		}
		return m, nil
	}
	return mount.Mount{}, c.fail("volumes", "mount type %q of %s is not supported by swarmtop deploy (use volume, bind, tmpfs, npipe or image)", v.Type, v.Target)
}

// checkMountOptions refuses options that belong to another mount type, as
// docker stack deploy does.
func (c *converter) checkMountOptions(v types.ServiceVolumeConfig) error {
	wrong := func(opt string) error {
		return c.fail("volumes", "%s options are incompatible with type %s (mount %s)", opt, v.Type, v.Target)
	}
	switch {
	case v.Bind != nil && v.Type != types.VolumeTypeBind:
		return wrong("bind")
	case v.Volume != nil && v.Type != types.VolumeTypeVolume:
		return wrong("volume")
	case v.Tmpfs != nil && v.Type != types.VolumeTypeTmpfs:
		return wrong("tmpfs")
	}
	return nil
}

func (c *converter) volumeMount(v types.ServiceVolumeConfig, m mount.Mount) (mount.Mount, error) {
	var opts mount.VolumeOptions
	if v.Volume != nil {
		opts.NoCopy, opts.Subpath = v.Volume.NoCopy, v.Volume.Subpath
		if v.Volume.Subpath != "" {
			if err := c.needs("volumes", "1.45"); err != nil {
				return mount.Mount{}, err
			}
		}
	}
	if v.Source == "" { // anonymous: a fresh volume per task
		if opts.NoCopy || opts.Subpath != "" {
			m.VolumeOptions = &opts
		}
		return m, nil
	}
	vol, ok := c.project.Volumes[v.Source]
	if !ok {
		return mount.Mount{}, c.fail("volumes", "undefined volume %q", v.Source)
	}
	m.Source = cmp.Or(vol.Name, FullName(c.stack, v.Source))
	if !vol.External {
		opts.Labels = withNamespace(vol.Labels, c.stack)
		if vol.Driver != "" || len(vol.DriverOpts) > 0 {
			opts.DriverConfig = &mount.Driver{Name: vol.Driver, Options: nonEmptyMap(vol.DriverOpts)}
		}
	}
	m.VolumeOptions = &opts
	return m, nil
}

// bindMount maps propagation and recursive. SELinux relabelling has no
// Swarm field, so it is refused rather than dropped; create_host_path is
// not sent (Swarm never creates bind sources; docker/cli does the same).
func (c *converter) bindMount(v types.ServiceVolumeConfig, m mount.Mount) (mount.Mount, error) {
	if !path.IsAbs(v.Source) {
		return mount.Mount{}, c.fail("volumes", "bind source %q of %s must be an absolute path", v.Source, v.Target)
	}
	b := v.Bind
	if b == nil {
		return m, nil
	}
	if b.SELinux != "" {
		return mount.Mount{}, c.fail("volumes", "bind mount %s: selinux relabelling (%s) is not supported by Swarm", v.Target, b.SELinux)
	}
	opts := mount.BindOptions{Propagation: mount.Propagation(b.Propagation)}
	switch b.Recursive {
	case "", "enabled":
	case "disabled":
		opts.NonRecursive = true
	case "writable", "readonly":
		if err := c.needs("volumes", "1.44"); err != nil {
			return mount.Mount{}, err
		}
		opts.ReadOnlyNonRecursive = b.Recursive == "writable"
		opts.ReadOnlyForceRecursive = b.Recursive == "readonly"
	default:
		return mount.Mount{}, c.fail("volumes", "bind mount %s: unknown recursive %q (use enabled, disabled, writable or readonly)", v.Target, b.Recursive)
	}
	if opts != (mount.BindOptions{}) {
		m.BindOptions = &opts
	}
	return m, nil
}

// fileRef is a secret or config reference before it becomes either type.
type fileRef struct {
	name   string // the object's engine name
	target *swarm.SecretReferenceFileTarget
}

// fileRefs converts secrets: or configs: entries, sorted by object name
// and target, so the spec is the same on every deploy. Defaults are
// docker stack deploy's: target = the key, uid/gid 0, mode 0444.
func (c *converter) fileRefs(kind string, refs []types.FileReferenceConfig, names func(string) string, defaultDir string) ([]fileRef, error) {
	var out []fileRef
	seen := map[string]bool{}
	for _, r := range refs {
		target := cmp.Or(r.Target, r.Source)
		// compose-go writes the default secret target out in full; docker/cli
		// leaves it relative. Both land on the same path; sending the short
		// form keeps CLI-deployed specs identical.
		if defaultDir != "" && target == path.Join(defaultDir, r.Source) {
			target = r.Source
		}
		where := target
		if !path.IsAbs(where) && defaultDir != "" {
			where = path.Join(defaultDir, where)
		}
		if seen[where] {
			return nil, c.fail(kind, "two entries use the target %s", where)
		}
		seen[where] = true
		mode := os.FileMode(0o444)
		if r.Mode != nil {
			mode = os.FileMode(*r.Mode)
		}
		out = append(out, fileRef{name: names(r.Source), target: &swarm.SecretReferenceFileTarget{
			Name: target, UID: cmp.Or(r.UID, "0"), GID: cmp.Or(r.GID, "0"), Mode: mode,
		}})
	}
	slices.SortFunc(out, func(a, b fileRef) int {
		return cmp.Or(cmp.Compare(a.name, b.name), cmp.Compare(a.target.Name, b.target.Name))
	})
	return out, nil
}

// secretsDir is where a relative secret target lands on Linux.
const secretsDir = "/run/secrets"

func (c *converter) secretRefs(cs *swarm.ContainerSpec) error {
	refs := make([]types.FileReferenceConfig, len(c.svc.Secrets))
	for i, r := range c.svc.Secrets {
		refs[i] = types.FileReferenceConfig(r)
	}
	conv, err := c.fileRefs("secrets", refs, func(key string) string {
		return cmp.Or(c.project.Secrets[key].Name, FullName(c.stack, key))
	}, secretsDir)
	for _, r := range conv {
		cs.Secrets = append(cs.Secrets, &swarm.SecretReference{SecretName: r.name, File: r.target})
	}
	return err
}

func (c *converter) configRefs(cs *swarm.ContainerSpec) error {
	refs := make([]types.FileReferenceConfig, len(c.svc.Configs))
	for i, r := range c.svc.Configs {
		refs[i] = types.FileReferenceConfig(r)
	}
	// A relative config target lands under /, which is also the default.
	conv, err := c.fileRefs("configs", refs, func(key string) string {
		return cmp.Or(c.project.Configs[key].Name, FullName(c.stack, key))
	}, "/")
	for _, r := range conv {
		t := swarm.ConfigReferenceFileTarget(*r.target)
		cs.Configs = append(cs.Configs, &swarm.ConfigReference{ConfigName: r.name, File: &t})
	}
	return err
}
