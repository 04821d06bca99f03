import DsariCLI

PrometheusExporterCommand.main(GlobalOptions.hoistingConfigDirectory(Array(CommandLine.arguments.dropFirst())))
