/// The version every dsari-swift command reports (`--version`) and the
/// exporter publishes as `dsari_version_info{version}`.
public enum DsariVersion {
    public static let string = "0.1.0"
}
