import DsariCLI

NRPEImportCommand.main()
