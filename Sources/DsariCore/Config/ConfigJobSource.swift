/// Jobs that come from outside dsari's own files — `nrpe_config` reads an
/// nrpe.cfg — given to `ConfigLoader` by the layers that know the format.
///
/// A source returns a configuration tree (`{"jobs": {…}}`); the files'
/// settings are merged over it, so `jobs: {NAME: {schedule: …}}` in
/// dsari.yaml adjusts one imported job without repeating it.
public protocol ConfigJobSource: Sendable {
    /// The imported configuration and warnings, or nil when the tree does not ask for this source.
    func configuration(for tree: ConfigNode, configDirectory: String) throws -> (ConfigNode, [ConfigWarning])?
}
