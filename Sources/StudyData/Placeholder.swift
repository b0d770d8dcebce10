public enum StudyDataModule {}
